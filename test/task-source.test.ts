import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCredentials } from '../src/credential.js';
import { ErrorCode } from '../src/errors.js';
import type { Simulator } from '../src/simulator/index.js';
import { createUpstreamClient, type FetchResult, type UpstreamClient } from '../src/upstream/client.js';
import { createLimiter, type Lane } from '../src/upstream/limiter.js';
import { createTaskSource, type TaskResult, type TaskSourceOptions } from '../src/upstream/task-source.js';
import { onDispose, startSimulator, taskRequests, waitFor } from './helpers.js';

const credentials = createCredentials('task-source-test-secret');
const alice = credentials.fromToken('sk-alice-0001');
const bob = credentials.fromToken('sk-bob-0002');

// Pinned over the simulator's timeline, which (with a zero duration) finishes every task at once.
const UNFINISHED = { status: 'in_progress', progress: '50%', fail_reason: '', finish_time: 0 };

let simulator: Simulator;
let upstream: UpstreamClient;

beforeAll(async () => {
  simulator = await startSimulator({ durationMs: 0 });
  upstream = createUpstreamClient({ baseUrl: simulator.url });
  onDispose(() => upstream.dispose());
});

beforeEach(() => {
  simulator.setLatency(0);
  simulator.clearFaults();
  simulator.requests.length = 0;
});

function source(options: Partial<TaskSourceOptions> = {}) {
  return createTaskSource({ fetchTask: upstream.fetchTask, limiter: createLimiter(), ...options });
}

function expectTask(result: TaskResult) {
  if (!result.ok) throw new Error(`expected a task, got the failure ${JSON.stringify(result.failure)}`);
  return result.task;
}

describe('createTaskSource caching', () => {
  it('should serve a finished task again from the cache without a request', async () => {
    const tasks = source();
    const first = expectTask(await tasks.get(alice, 'task_done_1', 'query'));
    const second = expectTask(await tasks.get(alice, 'task_done_1', 'query'));
    expect(first.status).toBe('SUCCESS');
    expect(second).toEqual(first);
    expect(taskRequests(simulator, 'task_done_1')).toHaveLength(1);
  });

  it('should serve a finished task from the cache to a poll too', async () => {
    const tasks = source();
    await tasks.get(alice, 'task_done_2', 'query');
    expect(expectTask(await tasks.get(alice, 'task_done_2', 'poll')).status).toBe('SUCCESS');
    expect(taskRequests(simulator, 'task_done_2')).toHaveLength(1);
  });

  it('should not share a cached task between credentials', async () => {
    const tasks = source();
    await tasks.get(alice, 'task_done_3', 'query');
    await tasks.get(bob, 'task_done_3', 'query');
    expect(taskRequests(simulator, 'task_done_3').map((r) => r.token)).toEqual(['sk-alice-0001', 'sk-bob-0002']);
  });

  it('should tell onCacheLookup of a miss and then a hit', async () => {
    const lookups: boolean[] = [];
    const tasks = source({ onCacheLookup: (hit) => lookups.push(hit) });
    await tasks.get(alice, 'task_done_4', 'query');
    await tasks.get(alice, 'task_done_4', 'query');
    expect(lookups).toEqual([false, true]);
  });

  it('should fetch an unfinished task afresh for every query by default', async () => {
    simulator.setTask('task_running_1', UNFINISHED);
    const tasks = source();
    expect(expectTask(await tasks.get(alice, 'task_running_1', 'query')).status).toBe('IN_PROGRESS');
    expect(expectTask(await tasks.get(alice, 'task_running_1', 'query')).status).toBe('IN_PROGRESS');
    expect(taskRequests(simulator, 'task_running_1')).toHaveLength(2);
  });

  it('should serve an unfinished task to a query from the cache within freshnessMs', async () => {
    simulator.setTask('task_running_2', UNFINISHED);
    const tasks = source({ freshnessMs: 60_000 });
    const first = expectTask(await tasks.get(alice, 'task_running_2', 'query'));
    expect(expectTask(await tasks.get(alice, 'task_running_2', 'query'))).toEqual(first);
    expect(taskRequests(simulator, 'task_running_2')).toHaveLength(1);
  });

  it('should never serve an unfinished task to a poll from the cache', async () => {
    simulator.setTask('task_running_3', UNFINISHED);
    const tasks = source({ freshnessMs: 60_000 });
    await tasks.get(alice, 'task_running_3', 'query');
    await tasks.get(alice, 'task_running_3', 'poll');
    await tasks.get(alice, 'task_running_3', 'poll');
    expect(taskRequests(simulator, 'task_running_3')).toHaveLength(3);
  });

  it('should fetch an unfinished task again once freshnessMs has passed', async () => {
    simulator.setTask('task_running_4', UNFINISHED);
    const tasks = source({ freshnessMs: 20 });
    await tasks.get(alice, 'task_running_4', 'query');
    await waitFor(async () => {
      await tasks.get(alice, 'task_running_4', 'query');
      return taskRequests(simulator, 'task_running_4').length === 2;
    });
  });

  it('should fetch a finished task again once finalTtlMs has passed (its signed video URL expires)', async () => {
    const tasks = source({ finalTtlMs: 50 });
    expectTask(await tasks.get(alice, 'task_done_ttl', 'query'));
    expectTask(await tasks.get(alice, 'task_done_ttl', 'query'));
    expect(taskRequests(simulator, 'task_done_ttl')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expectTask(await tasks.get(alice, 'task_done_ttl', 'query'));
    expect(taskRequests(simulator, 'task_done_ttl')).toHaveLength(2);
  });

  it("should let a poll's newer state replace the unfinished state a query cached", async () => {
    simulator.setTask('task_running_5', UNFINISHED);
    const tasks = source({ freshnessMs: 60_000 });
    await tasks.get(alice, 'task_running_5', 'query');
    simulator.setTask('task_running_5', null);
    expect(expectTask(await tasks.get(alice, 'task_running_5', 'poll')).status).toBe('SUCCESS');
    expect(expectTask(await tasks.get(alice, 'task_running_5', 'query')).status).toBe('SUCCESS');
    expect(taskRequests(simulator, 'task_running_5')).toHaveLength(2);
  });

  it('should not cache a failure', async () => {
    const tasks = source();
    simulator.injectFault({ type: 'status', status: 503 });
    const failed = await tasks.get(alice, 'task_done_5', 'query');
    expect(failed).toMatchObject({ ok: false, failure: { code: ErrorCode.UpstreamUnavailable } });
    expect(expectTask(await tasks.get(alice, 'task_done_5', 'query')).status).toBe('SUCCESS');
    expect(taskRequests(simulator, 'task_done_5')).toHaveLength(2);
  });

  it('should normalize under the id it was asked for', async () => {
    expect(expectTask(await source().get(alice, 'task:with.colon', 'query')).id).toBe('task:with.colon');
  });
});

describe('createTaskSource de-duplication', () => {
  it('should share one request between concurrent gets for the same credential and id', async () => {
    simulator.setLatency(50);
    const tasks = source();
    const pending = [tasks.get(alice, 'task_shared_1', 'query'), tasks.get(alice, 'task_shared_1', 'query'), tasks.get(alice, 'task_shared_1', 'poll')];
    expect(tasks.inFlight).toBe(1);
    const results = await Promise.all(pending);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    expect(taskRequests(simulator, 'task_shared_1')).toHaveLength(1);
    expect(tasks.inFlight).toBe(0);
  });

  it('should not share a request between credentials', async () => {
    simulator.setLatency(50);
    const tasks = source();
    const pending = [tasks.get(alice, 'task_shared_2', 'query'), tasks.get(bob, 'task_shared_2', 'query')];
    expect(tasks.inFlight).toBe(2);
    await Promise.all(pending);
    expect(taskRequests(simulator, 'task_shared_2').map((r) => r.token).sort()).toEqual(['sk-alice-0001', 'sk-bob-0002']);
  });

  it('should share a failure between concurrent gets, then try again', async () => {
    simulator.setLatency(50);
    simulator.injectFault({ type: 'status', status: 503 });
    const tasks = source();
    const results = await Promise.all([tasks.get(alice, 'task_shared_3', 'poll'), tasks.get(alice, 'task_shared_3', 'poll')]);
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect(taskRequests(simulator, 'task_shared_3')).toHaveLength(1);
    simulator.setLatency(0);
    expect((await tasks.get(alice, 'task_shared_3', 'poll')).ok).toBe(true);
  });
});

describe('createTaskSource with createLimiter', () => {
  /** The real client, recording the order of calls and how many run at once. */
  function instrumented() {
    const started: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const gates = new Map<string, Promise<void>>();
    async function fetchTask(token: string, id: string): Promise<FetchResult> {
      started.push(id);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        await gates.get(id);
        return await upstream.fetchTask(token, id);
      } finally {
        running--;
      }
    }
    /** Holds the call for `id` until the returned function is called. */
    function hold(id: string): () => void {
      let release!: () => void;
      gates.set(id, new Promise<void>((resolve) => (release = resolve)));
      return release;
    }
    return { fetchTask, hold, started, get maxRunning() { return maxRunning; } };
  }

  it('should never run more than `concurrency` requests at once', async () => {
    simulator.setLatency(20);
    const probe = instrumented();
    const limiter = createLimiter({ concurrency: 3 });
    const tasks = source({ fetchTask: probe.fetchTask, limiter });
    const ids = Array.from({ length: 10 }, (_, i) => `task_budget_${i}`);
    const pending = ids.map((id, i) => tasks.get(alice, id, i % 2 ? 'poll' : 'query'));
    expect(limiter.active).toBe(3);
    expect(limiter.queued).toBe(7);
    const results = await Promise.all(pending);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(probe.maxRunning).toBe(3);
    expect(taskRequests(simulator).filter((r) => r.taskId?.startsWith('task_budget_'))).toHaveLength(10);
    expect(limiter.active).toBe(0);
  });

  it('should alternate lanes when both have jobs queued', async () => {
    const probe = instrumented();
    const release = probe.hold('q0');
    const tasks = source({ fetchTask: probe.fetchTask, limiter: createLimiter({ concurrency: 1 }) });
    const pending: Promise<TaskResult>[] = [tasks.get(alice, 'q0', 'query')];
    for (const id of ['p1', 'p2', 'p3']) pending.push(tasks.get(alice, id, 'poll'));
    for (const id of ['q1', 'q2', 'q3']) pending.push(tasks.get(alice, id, 'query'));
    release();
    await Promise.all(pending);
    expect(probe.started).toEqual(['q0', 'p1', 'q1', 'p2', 'q2', 'p3', 'q3']);
  });

  it('should run a query that arrives behind queued polls before the remaining polls', async () => {
    const probe = instrumented();
    const release = probe.hold('p1');
    const tasks = source({ fetchTask: probe.fetchTask, limiter: createLimiter({ concurrency: 1 }) });
    const pending: Promise<TaskResult>[] = [];
    for (const id of ['p1', 'p2', 'p3']) pending.push(tasks.get(alice, id, 'poll'));
    expect(probe.started).toEqual(['p1']);
    pending.push(tasks.get(alice, 'q1', 'query'));
    release();
    await Promise.all(pending);
    expect(probe.started).toEqual(['p1', 'q1', 'p2', 'p3']);
  });

  it('should keep first come first served within a lane', async () => {
    const probe = instrumented();
    const release = probe.hold('w0');
    const tasks = source({ fetchTask: probe.fetchTask, limiter: createLimiter({ concurrency: 1 }) });
    const ids = ['w0', 'w1', 'w2', 'w3', 'w4'];
    const pending = ids.map((id) => tasks.get(alice, id, 'poll' as Lane));
    release();
    await Promise.all(pending);
    expect(probe.started).toEqual(ids);
  });

  it('should share one limiter slot between concurrent gets for the same task', async () => {
    const probe = instrumented();
    const release = probe.hold('s0');
    const limiter = createLimiter({ concurrency: 1 });
    const tasks = source({ fetchTask: probe.fetchTask, limiter });
    const pending = [tasks.get(alice, 's0', 'query'), tasks.get(alice, 's1', 'poll'), tasks.get(alice, 's1', 'query'), tasks.get(alice, 's1', 'poll')];
    expect(limiter.queued).toBe(1);
    release();
    await Promise.all(pending);
    expect(probe.started).toEqual(['s0', 's1']);
  });

  // Polls waiting for the upstream budget.
  it('should let a query that joins a waiting poll take the query lane', async () => {
    const probe = instrumented();
    const release = probe.hold('s0');
    const limiter = createLimiter({ concurrency: 1 });
    const tasks = source({ fetchTask: probe.fetchTask, limiter });
    const pending = [tasks.get(alice, 's0', 'query'), tasks.get(alice, 'a', 'poll'), tasks.get(alice, 'b', 'poll'), tasks.get(alice, 'c', 'poll')];
    pending.push(tasks.get(alice, 'c', 'query'));
    release();
    await Promise.all(pending);
    expect(probe.started).toEqual(['s0', 'a', 'c', 'b']);
  });

  it('should drop a waiting poll that nobody wants any more, unless a query joined it', async () => {
    const probe = instrumented();
    const release = probe.hold('s0');
    const limiter = createLimiter({ concurrency: 1 });
    const tasks = source({ fetchTask: probe.fetchTask, limiter });
    let wanted = true;
    const first = tasks.get(alice, 's0', 'query');
    const dropped = tasks.get(alice, 'gone', 'poll', () => wanted);
    const joined = tasks.get(alice, 'kept', 'poll', () => wanted);
    const query = tasks.get(alice, 'kept', 'query');
    wanted = false;
    release();
    await Promise.all([first, dropped, joined, query]);
    expect(probe.started).toEqual(['s0', 'kept']);
    expect((await dropped).ok).toBe(false);
    expect((await query).ok).toBe(true);
  });
});
