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
  /**
   * Like `run`, with a handle on the waiting job: `promote()` lets it wait in the query lane too
   * (a query now needs it), and `skip`, asked when its turn comes, drops it without running it
   * (its promise then resolves with `skipped`).
   */
  schedule<T, S>(lane: Lane, fn: () => Promise<T>, options: { skip: () => boolean; skipped: S }): { promise: Promise<T | S>; promote(): void };
  readonly active: number;
  readonly queued: number;
}

/** A concurrency budget with two fair lanes. */
export function createLimiter({ concurrency = 16 }: LimiterOptions = {}): Limiter {
  const lanes: Record<Lane, Queue> = { query: createQueue(), poll: createQueue() };
  let active = 0;
  // Jobs not started yet; a promoted job sits in both lanes but counts once.
  let waiting = 0;
  let preferQuery = true;

  function next(): void {
    while (active < concurrency) {
      const preferred: Lane = preferQuery ? 'query' : 'poll';
      const lane: Lane = lanes[preferred].length > 0 ? preferred : preferred === 'query' ? 'poll' : 'query';
      const job = lanes[lane].shift();
      if (!job) return;
      // A promoted job waits in both lanes: it runs from whichever reaches it first.
      if (job.started) continue;
      job.started = true;
      waiting--;
      if (job.skip?.()) {
        job.drop();
        continue;
      }
      // The other lane's turn next, whichever lane this job came from.
      preferQuery = lane === 'poll';
      active++;
      job.start();
    }
  }

  function enqueue<T, S>(lane: Lane, fn: () => Promise<T>, skip?: { skip: () => boolean; skipped: S }) {
    let job!: Job;
    const promise = new Promise<T | S>((resolve, reject) => {
      job = {
        started: false,
        skip: skip?.skip,
        drop: () => resolve(skip!.skipped),
        start: () => {
          fn()
            .then(resolve, reject)
            .finally(() => {
              active--;
              next();
            });
        },
      };
    });
    lanes[lane].push(job);
    waiting++;
    next();
    return {
      promise,
      promote() {
        if (!job.started && lane === 'poll') {
          lanes.query.push(job);
          next();
        }
      },
    };
  }

  return {
    run: <T>(lane: Lane, fn: () => Promise<T>) => enqueue<T, never>(lane, fn).promise as Promise<T>,
    schedule: (lane, fn, options) => enqueue(lane, fn, options),
    get active() {
      return active;
    },
    get queued() {
      return waiting;
    },
  };
}

interface Job {
  started: boolean;
  skip: (() => boolean) | undefined;
  drop(): void;
  start(): void;
}
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
