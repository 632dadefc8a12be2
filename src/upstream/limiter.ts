/**
 * Who is asking: an interactive query or a background poll. Queries and polls take turns for
 * free slots, so a burst of subscriptions cannot starve queries (and the reverse).
 */
export type Lane = 'query' | 'poll';

export interface LimiterOptions {
  /** Tasks running at once at most. @default 16 */
  concurrency?: number | undefined;
}

export interface Limiter {
  /** Runs `fn` once a slot is free. Within a lane, first come first served. */
  run<T>(lane: Lane, fn: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly queued: number;
}

/** A concurrency budget with two fair lanes. */
export function createLimiter({ concurrency = 16 }: LimiterOptions = {}): Limiter {
  const lanes: Record<Lane, Queue> = { query: createQueue(), poll: createQueue() };
  let active = 0;
  let preferQuery = true;

  function next(): void {
    while (active < concurrency) {
      const preferred: Lane = preferQuery ? 'query' : 'poll';
      const lane: Lane = lanes[preferred].length > 0 ? preferred : preferred === 'query' ? 'poll' : 'query';
      const job = lanes[lane].shift();
      if (!job) return;
      // The other lane's turn next, whichever lane this job came from.
      preferQuery = lane === 'poll';
      active++;
      job();
    }
  }

  return {
    run(lane, fn) {
      return new Promise((resolve, reject) => {
        lanes[lane].push(() => {
          fn()
            .then(resolve, reject)
            .finally(() => {
              active--;
              next();
            });
        });
        next();
      });
    },
    get active() {
      return active;
    },
    get queued() {
      return lanes.query.length + lanes.poll.length;
    },
  };
}

type Job = () => void;
interface Queue {
  push(job: Job): void;
  shift(): Job | undefined;
  readonly length: number;
}

// An array with a moving head: O(1) shift without copying for the long queues of a large poll.
function createQueue(): Queue {
  let items: Job[] = [];
  let head = 0;
  return {
    push(job) {
      items.push(job);
    },
    shift() {
      if (head >= items.length) return undefined;
      const job = items[head];
      // Drop the reference: a finished job's closure holds its caller's credential.
      items[head++] = undefined as unknown as Job;
      if (head === items.length) {
        items = [];
        head = 0;
      } else if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      return job;
    },
    get length() {
      return items.length - head;
    },
  };
}
