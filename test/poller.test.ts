import { afterEach, describe, expect, it } from 'vitest';
import { createCredentials, type Credential } from '../src/credential.js';
import { ErrorCode, failure } from '../src/errors.js';
import { createMemoryBus } from '../src/poller/bus.js';
import { createPollPolicy } from '../src/poller/policy.js';
import { createPoller, isFinalEvent, type Poller, type TaskEvent, type Watch } from '../src/poller/poller.js';
import { SIMULATED_FAIL_REASON, type Simulator, type SimulatorOptions } from '../src/simulator/index.js';
import { createUpstreamClient } from '../src/upstream/client.js';
import { createLimiter } from '../src/upstream/limiter.js';
import { createTaskSource, type TaskSource } from '../src/upstream/task-source.js';
import { startSimulator, taskRequests, waitFor } from './helpers.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const credentials = createCredentials('poller-test-secret');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Harness {
  sim: Simulator;
  source: TaskSource;
  poller: Poller;
  intervalMs: number;
  cred(token?: string): Credential;
}

interface SetupOptions {
  /** Poll interval of every status (jitter 0, queuedFactor 1). */
  intervalMs?: number;
  maxWatchMs?: number;
  maxPollFailureMs?: number;
  simulator?: SimulatorOptions;
}

/** The real stack: simulator, HTTP client, limiter, task source, poller; disposed after the test. */
async function setup({ intervalMs = 10, maxWatchMs, maxPollFailureMs, simulator = {} }: SetupOptions = {}): Promise<Harness> {
  const sim = await startSimulator(simulator);
  cleanups.push(() => sim.dispose());
  const client = createUpstreamClient({ baseUrl: sim.url, timeoutMs: 2000 });
  cleanups.push(() => client.dispose());
  const source = createTaskSource({ fetchTask: client.fetchTask, limiter: createLimiter({ concurrency: 16 }) });
  const poller = createPoller({
    source,
    policy: createPollPolicy({ intervalMs, jitter: 0, queuedFactor: 1 }),
    maxWatchMs,
    maxPollFailureMs,
  });
  cleanups.push(() => poller.dispose());
  return { sim, source, poller, intervalMs, cred: (token = 'token-a') => credentials.fromToken(token) };
}

/** Pins every field of the task that could move, so that only what the test changes changes. */
function pin(sim: Simulator, id: string, status: string, progress: number): void {
  sim.setTask(id, { status, progress: `${progress}%`, fail_reason: '', start_time: 1_700_000_000, finish_time: 0 });
}

function show(event: TaskEvent): string {
  return event.type === 'task'
    ? `${event.task.status}:${event.task.progress}`
    : `failure:${event.failure.code}:${event.final ? 'final' : 'transient'}`;
}

type Predicate = (event: TaskEvent, index: number, events: readonly TaskEvent[]) => boolean;

interface Recorder {
  readonly events: TaskEvent[];
  /** `Date.now()` when each event arrived. */
  readonly times: number[];
  readonly watch: Watch;
  /** Resolves with the first event, past or future, that matches. */
  until(predicate: Predicate, timeoutMs?: number): Promise<TaskEvent>;
}

/** A watcher that keeps what it hears and lets the test wait for an event. */
function record(poller: Poller, credential: Credential, id: string): Recorder {
  const events: TaskEvent[] = [];
  const times: number[] = [];
  const waiters = new Set<{ predicate: Predicate; resolve: (event: TaskEvent) => void }>();
  const watch = poller.watch(credential, id, (event) => {
    events.push(event);
    times.push(Date.now());
    for (const waiter of [...waiters]) {
      if (waiter.predicate(event, events.length - 1, events)) {
        waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  });
  return {
    events,
    times,
    watch,
    until(predicate, timeoutMs = 5000) {
      const found = events.find((event, index) => predicate(event, index, events));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No matching event within ${timeoutMs} ms for ${id}; heard [${events.map(show).join(', ')}]`));
        }, timeoutMs);
        const waiter = {
          predicate,
          resolve: (event: TaskEvent) => {
            clearTimeout(timer);
            resolve(event);
          },
        };
        waiters.add(waiter);
      });
    },
  };
}

const isFailure = (event: TaskEvent) => event.type === 'failure';
const progressIs = (progress: number) => (event: TaskEvent) => event.type === 'task' && event.task.progress === progress;
/** A task event that follows a failure: the loop recovered. */
const recovered: Predicate = (event, index, events) => event.type === 'task' && events.slice(0, index).some(isFailure);

/**
 * Upstream requests for `id` during a quiet window of `windowMs`, once any request in flight has
 * been answered (it was sent before the window, so it does not count).
 */
async function requestsInQuietWindow(h: Harness, id: string, windowMs = h.intervalMs * 10): Promise<number> {
  await waitFor(() => h.source.inFlight === 0, { message: 'the requests in flight to be answered' });
  const before = taskRequests(h.sim, id).length;
  await sleep(windowMs);
  return taskRequests(h.sim, id).length - before;
}

describe('poller against the simulator', () => {
  it('should publish the first state at once instead of waiting a poll interval', async () => {
    const h = await setup({ intervalMs: 60_000 });
    const watcher = record(h.poller, h.cred(), 'task_first');

    const first = await watcher.until(() => true);

    expect(first).toMatchObject({ type: 'task', task: { id: 'task_first' } });
    expect(taskRequests(h.sim, 'task_first')).toHaveLength(1);
  });

  it('should publish only when the task changes while polls keep going', async () => {
    const h = await setup({ intervalMs: 5 });
    const id = 'task_unchanged';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);

    await watcher.until(progressIs(50));
    await waitFor(() => taskRequests(h.sim, id).length >= 10, { message: '10 polls' });
    expect(watcher.events.map(show)).toEqual(['IN_PROGRESS:50']);

    pin(h.sim, id, 'in_progress', 60);
    await watcher.until(progressIs(60));
    const polls = taskRequests(h.sim, id).length;
    await waitFor(() => taskRequests(h.sim, id).length >= polls + 10, { message: '10 more polls' });
    expect(watcher.events.map(show)).toEqual(['IN_PROGRESS:50', 'IN_PROGRESS:60']);
  });

  it('should publish progress that goes backwards', async () => {
    const h = await setup();
    const id = 'task_backwards';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);
    await watcher.until(progressIs(50));

    pin(h.sim, id, 'in_progress', 40);
    await watcher.until(progressIs(40));

    expect(watcher.events.map(show)).toEqual(['IN_PROGRESS:50', 'IN_PROGRESS:40']);
  });

  it('should share one poll loop among many watchers of a task with the same credential', async () => {
    const h = await setup();
    const id = 'task_shared';
    const startedAt = Date.now();
    const watchers = Array.from({ length: 50 }, () => record(h.poller, h.cred(), id));

    expect(h.poller.activeLoops).toBe(1);
    expect(h.poller.watchedKeys).toBe(1);
    await Promise.all(watchers.map((watcher) => watcher.until(isFinalEvent)));
    const elapsedMs = Date.now() - startedAt;

    const reference = watchers[0]!.events;
    expect(reference.length).toBeGreaterThan(2);
    expect(reference.at(-1)).toMatchObject({ type: 'task', task: { status: 'SUCCESS' } });
    // Published on change only: no two consecutive events are the same.
    expect(reference.every((event, i) => i === 0 || JSON.stringify(event) !== JSON.stringify(reference[i - 1]))).toBe(true);
    for (const watcher of watchers) expect(watcher.events).toEqual(reference);

    const requests = taskRequests(h.sim, id);
    expect(Math.max(...requests.map((r) => r.inFlightForTask))).toBe(1);
    // One loop asks at most once per interval (less a millisecond for timers that fire early).
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / (h.intervalMs - 1)) + 2);
    expect(h.poller.activeLoops).toBe(0);
  });

  it('should run one poll loop per credential for the same task', async () => {
    const h = await setup();
    const id = 'task_two_credentials';
    const a = record(h.poller, h.cred('token-a'), id);
    const b = record(h.poller, h.cred('token-b'), id);

    expect(h.poller.activeLoops).toBe(2);
    expect(h.poller.watchedKeys).toBe(2);
    await Promise.all([a.until(isFinalEvent), b.until(isFinalEvent)]);

    const requests = taskRequests(h.sim, id);
    expect(new Set(requests.map((r) => r.token))).toEqual(new Set(['token-a', 'token-b']));
    expect(Math.max(...requests.map((r) => r.inFlightForTask))).toBe(1);
    expect(a.events.at(-1)).toMatchObject({ type: 'task', task: { status: 'SUCCESS' } });
    expect(b.events.at(-1)).toMatchObject({ type: 'task', task: { status: 'SUCCESS' } });
    expect(h.poller.activeLoops).toBe(0);
  });

  it('should stop polling when the task succeeds', async () => {
    const h = await setup();
    const id = 'task_succeeds';
    const watcher = record(h.poller, h.cred(), id);

    await watcher.until(isFinalEvent);

    expect(watcher.events.at(-1)).toMatchObject({ type: 'task', task: { status: 'SUCCESS', progress: 100, videoUrl: expect.stringContaining(id) } });
    expect(watcher.events.filter(isFinalEvent)).toHaveLength(1);
    expect(h.poller.activeLoops).toBe(0);
    expect(h.poller.watchedKeys).toBe(0);
    expect(await requestsInQuietWindow(h, id)).toBe(0);
    expect(watcher.events.filter(isFinalEvent)).toHaveLength(1);
  });

  it('should stop polling when the task fails', async () => {
    const h = await setup();
    const id = 'task_will_fail';
    const watcher = record(h.poller, h.cred(), id);

    await watcher.until(isFinalEvent);

    expect(watcher.events.at(-1)).toMatchObject({ type: 'task', task: { status: 'FAILURE', error: SIMULATED_FAIL_REASON } });
    expect(watcher.events.filter(isFinalEvent)).toHaveLength(1);
    expect(h.poller.activeLoops).toBe(0);
    expect(await requestsInQuietWindow(h, id)).toBe(0);
  });

  it('should stop polling when the last watcher unwatches', async () => {
    const h = await setup();
    const id = 'task_abandoned';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);
    await watcher.until(progressIs(50));
    await waitFor(() => taskRequests(h.sim, id).length >= 3, { message: '3 polls' });

    watcher.watch.unwatch();

    expect(h.poller.activeLoops).toBe(0);
    expect(h.poller.watchedKeys).toBe(0);
    expect(await requestsInQuietWindow(h, id)).toBe(0);
    expect(watcher.events).toHaveLength(1);
  });

  it('should stop polling when the last watcher unwatches from inside its listener', async () => {
    const h = await setup();
    const id = 'task_abandoned_in_listener';
    pin(h.sim, id, 'in_progress', 50);
    const events: TaskEvent[] = [];
    await new Promise<void>((resolve) => {
      const watch = h.poller.watch(h.cred(), id, (event) => {
        events.push(event);
        watch.unwatch();
        resolve();
      });
    });

    expect(h.poller.activeLoops).toBe(0);
    expect(await requestsInQuietWindow(h, id)).toBe(0);
    expect(taskRequests(h.sim, id)).toHaveLength(1);
    expect(events.map(show)).toEqual(['IN_PROGRESS:50']);
  });

  it('should stop polling when the last watcher unwatches from inside its listener on a transient failure', async () => {
    const h = await setup();
    const id = 'task_abandoned_on_failure';
    pin(h.sim, id, 'in_progress', 50);
    const events: TaskEvent[] = [];
    const failed = new Promise<void>((resolve) => {
      const watch = h.poller.watch(h.cred(), id, (event) => {
        events.push(event);
        if (event.type === 'failure') {
          watch.unwatch();
          resolve();
        }
      });
    });
    await waitFor(() => events.length === 1, { message: 'the first event' });

    h.sim.injectFault({ type: 'status', status: 503 });
    await failed;

    expect(h.poller.activeLoops).toBe(0);
    expect(await requestsInQuietWindow(h, id)).toBe(0);
    expect(events.map(show)).toEqual(['IN_PROGRESS:50', 'failure:UPSTREAM_UNAVAILABLE:transient']);
  });

  it('should keep polling for the watchers left when one unwatches', async () => {
    const h = await setup();
    const id = 'task_half_abandoned';
    pin(h.sim, id, 'in_progress', 50);
    const leaving = record(h.poller, h.cred(), id);
    const staying = record(h.poller, h.cred(), id);
    await staying.until(progressIs(50));

    leaving.watch.unwatch();
    leaving.watch.unwatch();

    expect(h.poller.activeLoops).toBe(1);
    const polls = taskRequests(h.sim, id).length;
    await waitFor(() => taskRequests(h.sim, id).length >= polls + 5, { message: '5 more polls' });
    pin(h.sim, id, 'in_progress', 70);
    await staying.until(progressIs(70));
    expect(staying.events.map(show)).toEqual(['IN_PROGRESS:50', 'IN_PROGRESS:70']);
    expect(leaving.events.map(show)).toEqual(['IN_PROGRESS:50']);
  });

  it('should give a late watcher of a running loop the current state at once', async () => {
    const h = await setup();
    const id = 'task_late_running';
    pin(h.sim, id, 'in_progress', 50);
    const early = record(h.poller, h.cred(), id);
    await early.until(progressIs(50));

    const late = record(h.poller, h.cred(), id);

    expect(late.watch.current).toEqual(early.events[0]);
    expect(h.poller.activeLoops).toBe(1);
    pin(h.sim, id, 'in_progress', 80);
    await late.until(progressIs(80));
    // The listener hears what follows; `current` is not replayed to it.
    expect(late.events.map(show)).toEqual(['IN_PROGRESS:80']);
  });

  it('should give a watcher of a finished task its final state without asking the upstream again', async () => {
    const h = await setup();
    const id = 'task_late_finished';
    const early = record(h.poller, h.cred(), id);
    await early.until(isFinalEvent);
    await waitFor(() => h.source.inFlight === 0);
    const polls = taskRequests(h.sim, id).length;

    const late = record(h.poller, h.cred(), id);
    await late.until(isFinalEvent);

    expect(late.events).toEqual([early.events.at(-1)]);
    expect(late.events[0]).toMatchObject({ type: 'task', task: { status: 'SUCCESS' } });
    expect(taskRequests(h.sim, id)).toHaveLength(polls);
    expect(h.poller.activeLoops).toBe(0);
  });

  it.each([
    [ErrorCode.TaskNotFound, 'an unknown task', (sim: Simulator, id: string) => sim.addUnknown(id)],
    [ErrorCode.Unauthenticated, 'a refused token', (sim: Simulator) => sim.refuseToken('token-a')],
    [ErrorCode.Forbidden, 'a forbidden token', (sim: Simulator) => sim.forbidToken('token-a')],
  ] as const)('should end the watch with one final %s failure for %s', async (code, _what, arrange) => {
    const h = await setup();
    const id = 'task_terminal';
    arrange(h.sim, id);
    const watcher = record(h.poller, h.cred('token-a'), id);

    await watcher.until(isFinalEvent);

    expect(watcher.events).toEqual([{ type: 'failure', final: true, failure: expect.objectContaining({ code }) }]);
    expect(h.poller.activeLoops).toBe(0);
    expect(await requestsInQuietWindow(h, id)).toBe(0);
    expect(taskRequests(h.sim, id)).toHaveLength(1);
  });

  it('should ride through a short outage with one transient failure, republish the state on recovery and go on to success', async () => {
    const h = await setup();
    const id = 'task_outage';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);
    await watcher.until(progressIs(50));

    h.sim.injectFault({ type: 'status', status: 503 }, 3);
    await watcher.until(recovered);
    h.sim.setTask(id, null);
    await watcher.until(isFinalEvent);

    const shown = watcher.events.map(show);
    expect(shown.slice(0, 3)).toEqual(['IN_PROGRESS:50', 'failure:UPSTREAM_UNAVAILABLE:transient', 'IN_PROGRESS:50']);
    expect(watcher.events[2]).toEqual(watcher.events[0]);
    expect(watcher.events.filter(isFailure)).toHaveLength(1);
    expect(shown.at(-1)).toBe('SUCCESS:100');
    expect(taskRequests(h.sim, id).filter((r) => r.status === 503)).toHaveLength(3);
  });

  it('should ride through the upstream going down and coming back on the same port', async () => {
    const h = await setup();
    const id = 'task_restart';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);
    await watcher.until(progressIs(50));

    await h.sim.stop();
    await watcher.until(isFailure);
    await h.sim.start();
    await watcher.until(recovered);
    h.sim.setTask(id, null);
    await watcher.until(isFinalEvent);

    const shown = watcher.events.map(show);
    expect(shown.slice(0, 3)).toEqual(['IN_PROGRESS:50', 'failure:UPSTREAM_UNAVAILABLE:transient', 'IN_PROGRESS:50']);
    expect(watcher.events.filter(isFailure)).toHaveLength(1);
    expect(shown.at(-1)).toBe('SUCCESS:100');
  });

  it('should end the watch with a final failure once the upstream has failed for longer than maxPollFailureMs', async () => {
    const maxPollFailureMs = 200;
    const h = await setup({ maxPollFailureMs });
    const id = 'task_long_outage';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);
    await watcher.until(progressIs(50));

    const downAt = Date.now();
    await h.sim.stop();
    const last = await watcher.until(isFinalEvent);

    expect(watcher.events.map(show)).toEqual(['IN_PROGRESS:50', 'failure:UPSTREAM_UNAVAILABLE:transient', 'failure:UPSTREAM_UNAVAILABLE:final']);
    expect(last).toMatchObject({ type: 'failure', final: true });
    expect(watcher.times.at(-1)! - downAt).toBeGreaterThanOrEqual(maxPollFailureMs);
    expect(h.poller.activeLoops).toBe(0);
    expect(h.poller.watchedKeys).toBe(0);
  });

  it('should end the watch with WATCH_TIMEOUT after maxWatchMs', async () => {
    const maxWatchMs = 150;
    const h = await setup({ maxWatchMs });
    const id = 'task_forever';
    pin(h.sim, id, 'in_progress', 50);
    const startedAt = Date.now();
    const watcher = record(h.poller, h.cred(), id);

    await watcher.until(isFinalEvent);

    expect(watcher.events.map(show)).toEqual(['IN_PROGRESS:50', 'failure:WATCH_TIMEOUT:final']);
    expect(watcher.times.at(-1)! - startedAt).toBeGreaterThanOrEqual(maxWatchMs);
    expect(h.poller.activeLoops).toBe(0);
    expect(await requestsInQuietWindow(h, id)).toBe(0);
  });

  it('should space the polls of a failing upstream further and further apart', async () => {
    const h = await setup({ intervalMs: 20 });
    const id = 'task_backoff';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);
    await watcher.until(progressIs(50));

    h.sim.injectFault({ type: 'status', status: 503 }, 4);
    await watcher.until(recovered);

    const requests = taskRequests(h.sim, id);
    const firstFailed = requests.findIndex((r) => r.status === 503);
    const run = requests.slice(firstFailed, firstFailed + 5);
    expect(run.map((r) => r.status)).toEqual([503, 503, 503, 503, 200]);
    const gaps = run.slice(1).map((r, i) => r.at - run[i]!.at);
    // At least the doubling backoff (20, 40, 80, 160 ms), less a little for timers that fire early.
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(h.intervalMs * 2 ** i - 3));
    expect(gaps.at(-1)!).toBeGreaterThan(gaps[0]!);
  });

  it('should wait as long as a 429 retry-after asks before polling again', async () => {
    const h = await setup();
    const id = 'task_rate_limited';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);
    await watcher.until(progressIs(50));
    await waitFor(() => taskRequests(h.sim, id).length >= 2, { message: 'a second poll' });

    h.sim.injectFault({ type: 'status', status: 429, headers: { 'retry-after': '1' } });
    await watcher.until(recovered);

    const requests = taskRequests(h.sim, id);
    const limited = requests.findIndex((r) => r.status === 429);
    expect(limited).toBeGreaterThan(0);
    expect(requests[limited]!.at - requests[limited - 1]!.at).toBeLessThan(500);
    expect(requests[limited + 1]!.at - requests[limited]!.at).toBeGreaterThanOrEqual(950);
    expect(watcher.events.filter(isFailure)).toEqual([
      { type: 'failure', final: false, failure: expect.objectContaining({ code: ErrorCode.UpstreamUnavailable, retryAfterMs: 1000 }) },
    ]);
  });

  it('should end every watch with the reason given to dispose and stop every loop', async () => {
    const h = await setup();
    pin(h.sim, 'task_disposed_1', 'in_progress', 50);
    pin(h.sim, 'task_disposed_2', 'queued', 10);
    const watchers = [
      record(h.poller, h.cred('token-a'), 'task_disposed_1'),
      record(h.poller, h.cred('token-a'), 'task_disposed_1'),
      record(h.poller, h.cred('token-b'), 'task_disposed_1'),
      record(h.poller, h.cred('token-a'), 'task_disposed_2'),
    ];
    await Promise.all(watchers.map((watcher) => watcher.until(() => true)));
    expect(h.poller.activeLoops).toBe(3);

    const reason = failure(ErrorCode.ShuttingDown, 'The gateway is shutting down.');
    await h.poller.dispose(reason);

    for (const watcher of watchers) {
      expect(watcher.events.filter(isFinalEvent)).toEqual([{ type: 'failure', final: true, failure: reason }]);
      expect(watcher.events.at(-1)).toEqual({ type: 'failure', final: true, failure: reason });
    }
    expect(h.poller.activeLoops).toBe(0);
    expect(h.poller.watchedKeys).toBe(0);
    await waitFor(() => h.source.inFlight === 0);
    const polls = taskRequests(h.sim).length;
    await sleep(h.intervalMs * 10);
    expect(taskRequests(h.sim)).toHaveLength(polls);
  });

  it('should stop every loop without an event when disposed without a reason', async () => {
    const h = await setup();
    const id = 'task_disposed_silently';
    pin(h.sim, id, 'in_progress', 50);
    const watcher = record(h.poller, h.cred(), id);
    await watcher.until(progressIs(50));

    await h.poller.dispose();

    expect(h.poller.activeLoops).toBe(0);
    expect(h.poller.watchedKeys).toBe(0);
    expect(await requestsInQuietWindow(h, id)).toBe(0);
    expect(watcher.events.map(show)).toEqual(['IN_PROGRESS:50']);
  });
});

describe('createPollPolicy', () => {
  it('should wait the in-progress interval while a task runs and the queued one otherwise', () => {
    const policy = createPollPolicy({ intervalMs: 100, queuedFactor: 3, inProgressFactor: 2, jitter: 0 });
    expect(policy.delay('IN_PROGRESS')).toBe(200);
    expect(policy.delay('SUBMITTED')).toBe(300);
    expect(policy.delay('QUEUED')).toBe(300);
    expect(policy.delay('UNKNOWN')).toBe(300);
  });

  it('should default to 5 s while in progress and twice that while queued', () => {
    const policy = createPollPolicy({ jitter: 0 });
    expect(policy.delay('IN_PROGRESS')).toBe(5000);
    expect(policy.delay('QUEUED')).toBe(10_000);
  });

  it('should spread delays by at most the jitter fraction either way', () => {
    const at = (random: number) => createPollPolicy({ intervalMs: 1000, inProgressFactor: 1, jitter: 0.2, random: () => random });
    expect(at(0).delay('IN_PROGRESS')).toBe(800);
    expect(at(0.5).delay('IN_PROGRESS')).toBe(1000);
    expect(at(0.999_999).delay('IN_PROGRESS')).toBe(1200);
    for (const random of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999_999]) {
      const delay = at(random).delay('IN_PROGRESS');
      expect(delay).toBeGreaterThanOrEqual(800);
      expect(delay).toBeLessThanOrEqual(1200);
    }
    expect(at(0).backoff(2)).toBe(1600);
  });

  it('should double the backoff with every consecutive failure', () => {
    const policy = createPollPolicy({ intervalMs: 100, jitter: 0 });
    expect([1, 2, 3, 4, 5].map((failures) => policy.backoff(failures))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('should cap the backoff at maxBackoffMs', () => {
    const policy = createPollPolicy({ intervalMs: 100, jitter: 0, maxBackoffMs: 500 });
    expect([3, 4, 10, 100].map((failures) => policy.backoff(failures))).toEqual([400, 500, 500, 500]);
  });

  it('should cap the backoff by default at 16 intervals or a minute, whichever is less', () => {
    expect(createPollPolicy({ intervalMs: 100, jitter: 0 }).backoff(50)).toBe(1600);
    expect(createPollPolicy({ intervalMs: 5000, jitter: 0 }).backoff(50)).toBe(60_000);
  });

  it('should wait at least what the upstream asked for, even beyond the cap', () => {
    const policy = createPollPolicy({ intervalMs: 100, jitter: 0, maxBackoffMs: 500 });
    expect(policy.backoff(1, 3000)).toBe(3000);
    expect(policy.backoff(3, 50)).toBe(400);
    expect(policy.backoff(1, undefined)).toBe(100);
  });

  it('should never return a delay below 1 ms', () => {
    const policy = createPollPolicy({ intervalMs: 0, jitter: 1, random: () => 0 });
    expect(policy.delay('IN_PROGRESS')).toBe(1);
    expect(policy.backoff(3)).toBe(1);
  });
});

describe('createMemoryBus', () => {
  it('should deliver events in order to the subscribers of their topic only', () => {
    const bus = createMemoryBus<number>();
    const a: number[] = [];
    const b: number[] = [];
    const other: number[] = [];
    bus.subscribe('t', (e) => a.push(e));
    bus.subscribe('t', (e) => b.push(e));
    bus.subscribe('u', (e) => other.push(e));

    bus.publish('t', 1);
    bus.publish('t', 2);
    bus.publish('nobody', 3);

    expect(a).toEqual([1, 2]);
    expect(b).toEqual([1, 2]);
    expect(other).toEqual([]);
  });

  it('should stop delivering to a listener once it unsubscribes', () => {
    const bus = createMemoryBus<number>();
    const gone: number[] = [];
    const kept: number[] = [];
    const unsubscribe = bus.subscribe('t', (e) => gone.push(e));
    bus.subscribe('t', (e) => kept.push(e));

    bus.publish('t', 1);
    unsubscribe();
    bus.publish('t', 2);

    expect(gone).toEqual([1]);
    expect(kept).toEqual([1, 2]);
  });

  it('should deliver an event to every listener even when one unsubscribes another during delivery', () => {
    const bus = createMemoryBus<number>();
    const heard: string[] = [];
    let unsubscribeSecond = () => {};
    bus.subscribe('t', (e) => {
      heard.push(`first:${e}`);
      unsubscribeSecond();
    });
    unsubscribeSecond = bus.subscribe('t', (e) => heard.push(`second:${e}`));

    bus.publish('t', 1);
    bus.publish('t', 2);

    expect(heard).toEqual(['first:1', 'second:1', 'first:2']);
  });

  it('should not let a stale unsubscribe remove a later subscriber of the same topic', () => {
    const bus = createMemoryBus<number>();
    const heard: number[] = [];
    const unsubscribeOld = bus.subscribe('t', () => {});
    unsubscribeOld();
    bus.subscribe('t', (e) => heard.push(e));

    unsubscribeOld();
    bus.publish('t', 1);

    expect(heard).toEqual([1]);
  });
});

describe('poller after dispose', () => {
  it('should end new watches at once with the dispose reason and start no loop', async () => {
    const h = await setup();
    await h.poller.dispose(failure(ErrorCode.ShuttingDown, 'bye'));
    const events: TaskEvent[] = [];
    const watch = h.poller.watch(h.cred(), 'late-after-dispose', (e) => events.push(e));
    expect(watch.current).toMatchObject({ type: 'failure', final: true, failure: { code: 'SHUTTING_DOWN' } });
    expect(h.poller.activeLoops).toBe(0);
    expect(taskRequests(h.sim, 'late-after-dispose')).toHaveLength(0);
  });
});
