/**
 * Who is asking: an interactive query or a background poll. Queries and polls take turns for
 * free slots, so a burst of subscriptions cannot starve queries (and the reverse).
 */
export type Lane = 'query' | 'poll';

export interface LimiterOptions {
  /** Tasks running at once at most. @default 16 */
  concurrency?: number | undefined;
  /**
   * Jobs waiting at most, all lanes and keys together. When it is full, the key with the longest
   * backlog pays: a newcomer of that key is refused at once, or, when the newcomer's key waits
   * less, that key's newest job is refused to make room. @default 1000
   */
  queueLimit?: number | undefined;
  /** Binds a job to its caller's context when queued (trace context, when tracing). @default none */
  bind?: (<F extends () => Promise<unknown>>(fn: F) => F) | undefined;
}

export interface ScheduleOptions<S, R> {
  /** Asked when the job's turn comes: true drops it without running it (its promise resolves with `skipped`). */
  skip: () => boolean;
  skipped: S;
  /** What the promise resolves with when the job is refused because the queue is full. */
  refused: R;
}

export interface Limiter {
  /**
   * Runs `fn` once a slot is free. Lanes take turns; within a lane, keys (credential fingerprints)
   * take turns; within a key, first come first served. A job refused by a full queue rejects.
   */
  run<T>(lane: Lane, key: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Like `run`, with a handle on the waiting job: `promote()` lets it wait in the query lane too
   * (a query now needs it), and `skip`, asked when its turn comes, drops it without running it.
   */
  schedule<T, S, R>(lane: Lane, key: string, fn: () => Promise<T>, options: ScheduleOptions<S, R>): { promise: Promise<T | S | R>; promote(): void };
  readonly active: number;
  readonly queued: number;
}

interface Job {
  readonly key: string;
  started: boolean;
  skip: (() => boolean) | undefined;
  drop(): void;
  refuse(): void;
  start(): void;
}

/**
 * A concurrency budget shared fairly: queries and polls alternate, and within each lane the
 * credentials waiting take one turn each (round robin), so that one credential's backlog delays
 * another's request by at most one job per slot. The queue is bounded; the longest backlog is
 * cut first.
 */
export function createLimiter({ concurrency = 16, queueLimit = 1000, bind }: LimiterOptions = {}): Limiter {
  const lanes: Record<Lane, FairQueue> = { query: createFairQueue(), poll: createFairQueue() };
  let active = 0;
  // Jobs not started yet, per key; a promoted job sits in both lanes but counts once.
  const waitingPerKey = new Map<string, Job[]>();
  let waiting = 0;
  let preferQuery = true;

  function unqueue(job: Job): void {
    job.started = true;
    waiting--;
    const jobs = waitingPerKey.get(job.key)!;
    const at = jobs.indexOf(job);
    if (at >= 0) jobs.splice(at, 1);
    if (jobs.length === 0) waitingPerKey.delete(job.key);
  }

  function next(): void {
    while (active < concurrency) {
      const preferred: Lane = preferQuery ? 'query' : 'poll';
      const other: Lane = preferred === 'query' ? 'poll' : 'query';
      const lane: Lane = lanes[preferred].length > 0 ? preferred : other;
      const job = lanes[lane].shift();
      if (!job) return;
      // A promoted job waits in both lanes, a refused one nowhere: skip what already left.
      if (job.started) continue;
      unqueue(job);
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

  /** Makes room for a job of `key`; false when `key` itself has the longest backlog. */
  function makeRoom(key: string): boolean {
    let longest: Job[] | undefined;
    for (const jobs of waitingPerKey.values()) if (!longest || jobs.length > longest.length) longest = jobs;
    const own = waitingPerKey.get(key)?.length ?? 0;
    if (!longest || longest.length <= own + 1) return false;
    const victim = longest.at(-1)!;
    unqueue(victim);
    victim.refuse();
    return true;
  }

  function enqueue<T, S, R>(lane: Lane, key: string, run: () => Promise<T>, options?: ScheduleOptions<S, R>) {
    // A job may start on another job's stack: bound, it runs in its caller's trace context.
    const fn = bind ? bind(run) : run;
    let job!: Job;
    const promise = new Promise<T | S | R>((resolve, reject) => {
      job = {
        key,
        started: false,
        skip: options?.skip,
        drop: () => resolve(options!.skipped),
        refuse: () => (options ? resolve(options.refused) : reject(new Error('The upstream queue is full.'))),
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
    if (waiting >= queueLimit && active >= concurrency && !makeRoom(key)) {
      job.started = true;
      job.refuse();
      return { promise, promote() {} };
    }
    lanes[lane].push(job);
    let jobs = waitingPerKey.get(key);
    if (!jobs) waitingPerKey.set(key, (jobs = []));
    jobs.push(job);
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
    run: <T>(lane: Lane, key: string, fn: () => Promise<T>) => enqueue<T, never, never>(lane, key, fn).promise as Promise<T>,
    schedule: (lane, key, fn, options) => enqueue(lane, key, fn, options),
    get active() {
      return active;
    },
    get queued() {
      return waiting;
    },
  };
}

interface FairQueue {
  push(job: Job): void;
  /** The next job of the key whose turn it is; that key then goes to the back of the round. */
  shift(): Job | undefined;
  readonly length: number;
}

/** One FIFO per key and a round of keys (a Map keeps insertion order: re-inserting moves a key last). */
function createFairQueue(): FairQueue {
  const perKey = new Map<string, Queue>();
  let length = 0;
  return {
    push(job) {
      let queue = perKey.get(job.key);
      if (!queue) perKey.set(job.key, (queue = createQueue()));
      queue.push(job);
      length++;
    },
    shift() {
      for (const [key, queue] of perKey) {
        const job = queue.shift();
        perKey.delete(key);
        if (queue.length > 0) perKey.set(key, queue);
        if (job) {
          length--;
          return job;
        }
      }
      return undefined;
    },
    get length() {
      return length;
    },
  };
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
