import { LRUCache } from 'lru-cache';
import type { Credential } from '../credential.js';
import { ErrorCode, failure, rateLimited, type Failure } from '../errors.js';
import type { Lane, Limiter } from './limiter.js';
import { normalizeTask } from './normalize.js';
import { isFinal, type VideoTask } from './video-task.js';
import type { FetchResult } from './client.js';
import type { FetchTask, ReadTask } from './retry.js';

/** A task, or why there is none. Never thrown. */
export type TaskResult = { ok: true; task: VideoTask } | { ok: false; failure: Failure };

export interface TaskSourceOptions {
  /** One attempt at an upstream GET of one task: the client (instrumented). */
  fetchTask: FetchTask;
  /**
   * What goes around the attempts of one request: retries, the credential gate and the breakers.
   * Each attempt takes its own turn in the upstream budget, so that waiting between retries holds
   * no slot.
   * @default the attempt alone
   */
  around?: ((attempt: ReadTask) => ReadTask) | undefined;
  /** The upstream budget shared with everything else that calls the upstream. */
  limiter: Limiter;
  /** Tasks kept at most (finished ones, and unfinished ones within `freshnessMs`). @default 10000 */
  cacheSize?: number | undefined;
  /** How long an unfinished task may be served again to a query, in ms; 0 fetches every time. @default 0 */
  freshnessMs?: number | undefined;
  /**
   * A query's longest wait for a task, queueing and retries included, in ms: past it the query
   * gets UPSTREAM_UNAVAILABLE while the request goes on (its result still fills the cache).
   * Polls have no deadline: the poller paces itself. @default 8000
   */
  queryDeadlineMs?: number | undefined;
  /** How long a finished task is served from the cache, in ms (the life of the upstream's signed video URL). @default 86400000 */
  finalTtlMs?: number | undefined;
  /**
   * A cache of finished tasks shared with other instances (a fleet's Redis), asked after the local
   * one and before the upstream, and told of every finished task fetched here. @default none
   */
  shared?: SharedTaskCache | undefined;
  /**
   * The longest an attempt may take (the client's timeout), in ms: an attempt is not started for
   * a query that has less than this left before its deadline. @default 4000
   */
  attemptTimeoutMs?: number | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
  /** Told of every cache lookup, for metrics. */
  onCacheLookup?: ((hit: boolean) => void) | undefined;
  /** How long a seeded task (see `seed`) stands in for an upstream request, in ms. @default 5000 */
  seedTtlMs?: number | undefined;
}

/** Finished tasks shared beyond this process, by `<fingerprint>:<id>`. Never throws: trouble is a miss. */
export interface SharedTaskCache {
  /** The task and how much longer it may be served, in ms. */
  get(key: string): Promise<{ task: VideoTask; ttlMs: number } | undefined>;
  set(key: string, task: VideoTask): void;
}

export interface TaskSource {
  /**
   * The task's current state. A finished task comes from the cache at no upstream cost;
   * concurrent calls for the same (credential, id) share one upstream request.
   * A poll (`lane: 'poll'`) never takes an unfinished task from the cache: it is there to see changes.
   * `stillWanted` (a poll loop still running, a client still connected) is asked when an attempt's
   * turn in the upstream budget comes: an attempt that nobody still wanting it could get in time
   * (polls have no deadline; a query needs `attemptTimeoutMs` left) is dropped unsent.
   */
  get(credential: Credential, id: string, lane: Lane, stillWanted?: () => boolean): Promise<TaskResult>;
  /**
   * Remembers a task learned without a GET (its create's answer) for `seedTtlMs`: queries get it
   * from the cache, and the first poll of a loop starting meanwhile takes it instead of asking the
   * upstream, so that a subscription right after a create sends its first event at once.
   */
  seed(credential: Credential, task: VideoTask): void;
  /** Upstream requests in flight, after de-duplication. */
  readonly inFlight: number;
}

/** The one way the gateway reads tasks: cache, in-flight de-duplication, budget, normalization. */
export function createTaskSource({
  fetchTask,
  around = (attempt) => attempt,
  limiter,
  cacheSize = 10_000,
  freshnessMs = 0,
  queryDeadlineMs = 8000,
  attemptTimeoutMs = 4000,
  finalTtlMs = 24 * 3_600_000,
  shared,
  onCacheLookup,
  now = Date.now,
  seedTtlMs = 5000,
}: TaskSourceOptions): TaskSource {
  // Keyed by credential fingerprint and id: one credential never sees what another fetched.
  const cache = new LRUCache<string, VideoTask>({ max: cacheSize });
  // Seeded tasks not polled yet; each is taken by the first poll at most.
  const seeded = new LRUCache<string, VideoTask>({ max: cacheSize, ttl: seedTtlMs });
  const inFlight = new Map<string, InFlight>();
  // With a deadline shorter than the timeout, a fresh query may still try once.
  const attemptMs = Math.min(attemptTimeoutMs, queryDeadlineMs);

  function load(credential: Credential, id: string, key: string, lane: Lane, waiter: Waiter): InFlight {
    const entry: InFlight = { promise: undefined as unknown as Promise<TaskResult>, queryJoined: lane === 'query', promote: () => {}, waiters: [waiter] };
    const skip = () => {
      const latestStart = now() + attemptMs;
      return !entry.waiters.some((w) => w.deadline >= latestStart && w.stillWanted());
    };
    const options = { skip, skipped: dropped, refused: queueFull };
    const attempt: ReadTask = (who, taskId, n) => {
      // A retry after a query joined waits in the query lane.
      const ticket = limiter.schedule(entry.queryJoined ? 'query' : lane, who.fingerprint, () => fetchTask(who.token, taskId, n), options);
      entry.promote = ticket.promote;
      return ticket.promise;
    };
    const upstream = () =>
      around(attempt)(credential, id).then((result): TaskResult => {
        if (!result.ok) return result;
        const task = normalizeTask(id, result.task);
        if (isFinal(task.status)) {
          cache.set(key, task, { ttl: finalTtlMs });
          shared?.set(key, task);
        } else if (freshnessMs > 0) cache.set(key, task, { ttl: freshnessMs });
        return { ok: true, task };
      });
    const viaShared = async (): Promise<TaskResult> => {
      const hit = await shared!.get(key);
      if (!hit) return upstream();
      cache.set(key, hit.task, { ttl: Math.min(hit.ttlMs, finalTtlMs) });
      return { ok: true, task: hit.task };
    };
    entry.promise = (shared ? viaShared() : upstream())
      .finally(() => inFlight.delete(key));
    inFlight.set(key, entry);
    return entry;
  }

  function join(entry: InFlight, lane: Lane, waiter: Waiter): Promise<TaskResult> {
    entry.waiters.push(waiter);
    // A query must not wait behind the poll lane for a poll's request that has not been sent yet.
    if (lane === 'query' && !entry.queryJoined) {
      entry.queryJoined = true;
      entry.promote();
    }
    return entry.promise;
  }

  return {
    get(credential, id, lane, stillWanted = always) {
      const key = `${credential.fingerprint}:${id}`;
      if (lane === 'poll') {
        const fresh = seeded.get(key);
        if (fresh) {
          seeded.delete(key);
          return Promise.resolve({ ok: true, task: fresh });
        }
      }
      const cached = cache.get(key);
      if (cached && (lane === 'query' || isFinal(cached.status))) {
        onCacheLookup?.(true);
        return Promise.resolve({ ok: true, task: cached });
      }
      onCacheLookup?.(false);
      const waiter: Waiter = { deadline: lane === 'query' ? now() + queryDeadlineMs : Infinity, stillWanted };
      const existing = inFlight.get(key);
      const pending = existing ? join(existing, lane, waiter) : load(credential, id, key, lane, waiter).promise;
      return lane === 'query' ? withDeadline(pending, queryDeadlineMs) : pending;
    },
    seed(credential, task) {
      const key = `${credential.fingerprint}:${task.id}`;
      seeded.set(key, task);
      if (!cache.has(key)) cache.set(key, task, { ttl: seedTtlMs });
    },
    get inFlight() {
      return inFlight.size;
    },
  };
}

/** Someone waiting for an in-flight request: a poll loop (no deadline) or a query. */
interface Waiter {
  readonly deadline: number;
  readonly stillWanted: () => boolean;
}

interface InFlight {
  promise: Promise<TaskResult>;
  promote(): void;
  queryJoined: boolean;
  readonly waiters: Waiter[];
}

const always = () => true;

/**
 * What a dropped attempt resolves with: nobody still waiting could use its answer in time.
 * Status 0, "nothing was sent": neither retried nor counted by the breakers.
 */
const dropped: FetchResult = {
  ok: false,
  status: 0,
  failure: failure(ErrorCode.UpstreamUnavailable, 'No upstream request was sent: the operation deadline would pass before an answer.'),
};

/** What an attempt refused by a full upstream queue resolves with (status 0, as above). */
const queueFull: FetchResult = { ok: false, status: 0, failure: rateLimited('The gateway is busy: too many upstream requests are waiting. Try again shortly.', 1000) };

function withDeadline(pending: Promise<TaskResult>, ms: number): Promise<TaskResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<TaskResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, failure: failure(ErrorCode.UpstreamUnavailable, `The upstream did not answer within the ${ms} ms deadline.`) }), ms);
  });
  return Promise.race([pending, late]).finally(() => clearTimeout(timer));
}
