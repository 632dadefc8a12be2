import type { Credential } from '../credential.js';
import { ErrorCode, failure, type Failure } from '../errors.js';
import type { TaskSource } from '../upstream/task-source.js';
import { isFinal, taskChanged, type VideoTask } from '../upstream/video-task.js';
import { createMemoryBus, type EventBus } from './bus.js';
import { createLocalOwnership, type Lease, type LoopOwnership } from './ownership.js';
import type { PollPolicy } from './policy.js';

/**
 * What watchers of a task hear. A `task` event with a final status, and a failure with
 * `final: true`, end the watch; a failure with `final: false` is an outage being ridden through.
 */
export type TaskEvent = { type: 'task'; task: VideoTask } | { type: 'failure'; failure: Failure; final: boolean };

export function isFinalEvent(event: TaskEvent): boolean {
  return event.type === 'failure' ? event.final : isFinal(event.task.status);
}

export interface PollerOptions {
  source: TaskSource;
  policy: PollPolicy;
  /** Where loops publish and watchers listen. @default an in-memory bus */
  bus?: EventBus<TaskEvent> | undefined;
  /** Who runs the loop of a key. @default this process, always */
  ownership?: LoopOwnership | undefined;
  /**
   * How often a key watched here whose loop another instance runs tries to take the loop over, in
   * ms (a fleet: the owner may die). @default 5000
   */
  leaseRetryMs?: number | undefined;
  /** A loop ends with WATCH_TIMEOUT after running this long, in ms. @default 1800000 */
  maxWatchMs?: number | undefined;
  /** A loop ends with the upstream's error after failing without a break this long, in ms. @default 300000 */
  maxPollFailureMs?: number | undefined;
  /** Told of an error thrown by a watcher's listener (the others still get the event). @default ignores it */
  onListenerError?: ((error: unknown) => void) | undefined;
  /** What goes around each poll (a root span per tick, when tracing). @default nothing */
  aroundTick?: ((tick: () => Promise<void>) => Promise<void>) | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
}

export interface Watch {
  /** The last event published for this task, if any: what a new watcher shows at once. */
  readonly current: TaskEvent | undefined;
  /** Stops listening; the last watcher of a key stops its loop. Idempotent. */
  unwatch(): void;
}

export interface Poller {
  /** Listens to a task's events; the first watcher of a (credential, id) starts its poll loop. */
  watch(credential: Credential, id: string, listener: (event: TaskEvent) => void): Watch;
  /** Poll loops running in this process. */
  readonly activeLoops: number;
  /** Keys watched in this process. */
  readonly watchedKeys: number;
  /** Ends every watch with `reason` (when given) and stops every loop. */
  dispose(reason?: Failure): Promise<void>;
}

interface Entry {
  readonly key: string;
  readonly credential: Credential;
  readonly id: string;
  readonly listeners: Set<(event: TaskEvent) => void>;
  unsubscribe: () => void;
  current: TaskEvent | undefined;
  loop: Loop | undefined;
  /** When the watch started (fleet-wide when a lease says so): MAX_WATCH_MS counts from it. */
  startedAt: number | undefined;
  /** A lease is being asked for. */
  acquiring: boolean;
  /** Whether the bus's last event was read since this instance last ran or lost the loop. */
  caughtUp: boolean;
  /** The next attempt at the lease, while another instance runs the loop. */
  retry: NodeJS.Timeout | undefined;
  removed: boolean;
}

interface Loop {
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

const terminalCodes = new Set<string>([ErrorCode.TaskNotFound, ErrorCode.Unauthenticated, ErrorCode.Forbidden, ErrorCode.BadUserInput]);

/**
 * One poll loop per (credential fingerprint, task id), shared by all its watchers and
 * reference-counted. It detects changes once per task and publishes only changes (and the
 * first state, failures, recoveries); it stops when the task is final or nobody watches.
 */
export function createPoller({
  source,
  policy,
  bus = createMemoryBus<TaskEvent>(),
  ownership = createLocalOwnership(),
  leaseRetryMs = 5000,
  maxWatchMs = 30 * 60_000,
  maxPollFailureMs = 5 * 60_000,
  onListenerError = () => {},
  aroundTick,
  now = Date.now,
}: PollerOptions): Poller {
  const entries = new Map<string, Entry>();
  let loops = 0;
  /** Set by dispose: later watches end at once with it, and start no loop. */
  let closed: TaskEvent | undefined;

  function startLoop(entry: Entry): Loop {
    const { credential, id } = entry;
    const loop: Loop = { timer: undefined, stopped: false };
    const startedAt = (entry.startedAt ??= now());
    // A loop taken over from another instance diffs against what its watchers were last sent.
    let last: VideoTask | undefined = entry.current?.type === 'task' ? entry.current.task : undefined;
    let failures = 0;
    let failingSince = 0;
    loops++;

    const end = (event: TaskEvent) => {
      stopLoop(entry);
      bus.publish(entry.key, event);
    };

    // Delays count from the start of a poll, so that a slow upstream does not stretch the cadence.
    const schedule = (delay: number, tickStartedAt: number) => {
      loop.timer = setTimeout(safeTick, Math.max(0, delay - (now() - tickStartedAt)));
    };

    const tick = async () => {
      loop.timer = undefined;
      const tickStartedAt = now();
      if (now() - startedAt >= maxWatchMs) {
        return end({ type: 'failure', final: true, failure: failure(ErrorCode.WatchTimeout, `The task was watched for ${maxWatchMs} ms without reaching a final state.`) });
      }
      const result = await source.get(credential, id, 'poll', () => !loop.stopped);
      if (loop.stopped) return;
      if (result.ok) {
        const { task } = result;
        const recovered = failures > 0;
        failures = 0;
        const changed = recovered || !last || taskChanged(last, task);
        last = task;
        if (isFinal(task.status)) return end({ type: 'task', task });
        if (changed) bus.publish(entry.key, { type: 'task', task });
        // The last watcher may have left during the publish, stopping this loop.
        if (loop.stopped) return;
        schedule(policy.delay(task.status), tickStartedAt);
        return;
      }
      const f = result.failure;
      if (terminalCodes.has(f.code)) return end({ type: 'failure', final: true, failure: f });
      if (failures++ === 0) {
        failingSince = now();
        bus.publish(entry.key, { type: 'failure', final: false, failure: f });
      } else if (now() - failingSince >= maxPollFailureMs) {
        const message = `${f.message} The upstream has failed for ${now() - failingSince} ms without a break: giving up.`;
        return end({ type: 'failure', final: true, failure: failure(f.code, message) });
      }
      if (loop.stopped) return;
      schedule(policy.backoff(failures, f.retryAfterMs), tickStartedAt);
    };

    const safeTick = () =>
      (aroundTick ? aroundTick(tick) : tick()).catch((error: unknown) => {
        onListenerError(error);
        end({ type: 'failure', final: true, failure: failure(ErrorCode.UpstreamUnavailable, 'Watching the task failed unexpectedly.') });
      });
    void safeTick();
    return loop;
  }

  function stopLoop(entry: Entry): void {
    const loop = entry.loop;
    if (!loop || loop.stopped) return;
    loop.stopped = true;
    if (loop.timer) clearTimeout(loop.timer);
    entry.loop = undefined;
    loops--;
    ownership.release(entry.key);
  }

  function removeEntry(entry: Entry): void {
    entry.removed = true;
    stopLoop(entry);
    if (entry.retry) clearTimeout(entry.retry);
    entry.retry = undefined;
    entry.unsubscribe();
    if (entries.get(entry.key) === entry) entries.delete(entry.key);
  }

  /** Hands an event to this process's watchers of the key. */
  function dispatch(entry: Entry, event: TaskEvent): void {
    entry.current = event;
    for (const l of [...entry.listeners]) {
      // One failing watcher must not starve the others or kill the loop.
      try {
        l(event);
      } catch (error) {
        onListenerError(error);
      }
    }
    // A final event ends every watch of this key: the next watcher starts afresh.
    if (isFinalEvent(event)) removeEntry(entry);
  }

  /** Runs the key's loop here if the ownership allows it, else tries again in `leaseRetryMs`. */
  function tryOwn(entry: Entry): void {
    if (entry.loop || entry.acquiring || entry.removed || closed) return;
    const pending = ownership.acquire(entry.key, () => lost(entry));
    // One process: the answer is at once, and the first poll starts now.
    if (!(pending instanceof Promise)) {
      if (pending) begin(entry, pending);
      else scheduleRetry(entry);
      return;
    }
    entry.acquiring = true;
    void pending
      .catch(() => undefined)
      .then(async (lease) => {
        // The shared bus's last event: the current state for a late joiner, the diff base for a takeover.
        if (bus.last && (lease || !entry.caughtUp)) await catchUp(entry);
        entry.acquiring = false;
        if (entry.removed || closed) {
          if (lease) ownership.release(entry.key);
        } else if (lease) begin(entry, lease);
        else scheduleRetry(entry);
      });
  }

  function begin(entry: Entry, lease: Lease): void {
    if (lease.startedAt !== undefined) entry.startedAt = lease.startedAt;
    entry.loop = startLoop(entry);
  }

  function scheduleRetry(entry: Entry): void {
    if (entry.retry || entry.removed) return;
    entry.retry = setTimeout(() => {
      entry.retry = undefined;
      tryOwn(entry);
    }, leaseRetryMs);
    entry.retry.unref?.();
  }

  /** Another instance took the lease: listen only, and catch up with what it published. */
  function lost(entry: Entry): void {
    if (!entry.loop) return;
    stopLoop(entry);
    entry.caughtUp = false;
    scheduleRetry(entry);
  }

  async function catchUp(entry: Entry): Promise<void> {
    let stored: TaskEvent | undefined;
    try {
      stored = await bus.last!(entry.key);
    } catch {
      return;
    }
    entry.caughtUp = true;
    if (!stored || entry.removed) return;
    if (JSON.stringify(stored) !== JSON.stringify(entry.current)) dispatch(entry, stored);
  }

  return {
    watch(credential, id, listener) {
      if (closed) return { current: closed, unwatch() {} };
      const key = `${credential.fingerprint}:${id}`;
      let entry = entries.get(key);
      if (!entry) {
        const created: Entry = {
          key,
          credential,
          id,
          listeners: new Set(),
          current: undefined,
          loop: undefined,
          startedAt: undefined,
          acquiring: false,
          caughtUp: false,
          retry: undefined,
          removed: false,
          unsubscribe: () => {},
        };
        created.unsubscribe = bus.subscribe(key, (event) => dispatch(created, event));
        entries.set(key, (entry = created));
      }
      const current = entry.current;
      // A fresh function per watch: the same listener may watch twice and leave once.
      const own = (event: TaskEvent) => listener(event);
      entry.listeners.add(own);
      tryOwn(entry);
      const owner = entry;
      let active = true;
      return {
        current,
        unwatch() {
          if (!active) return;
          active = false;
          owner.listeners.delete(own);
          if (owner.listeners.size === 0) removeEntry(owner);
        },
      };
    },
    get activeLoops() {
      return loops;
    },
    get watchedKeys() {
      return entries.size;
    },
    async dispose(reason) {
      closed = { type: 'failure', final: true, failure: reason ?? failure(ErrorCode.ShuttingDown, 'The gateway is shutting down.') };
      for (const entry of [...entries.values()]) {
        stopLoop(entry);
        // This process's watchers only: another instance's subscribers go on.
        if (reason) dispatch(entry, { type: 'failure', final: true, failure: reason });
        removeEntry(entry);
      }
    },
  };
}
