import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCredentials } from '../src/credential.js';
import { ErrorCode } from '../src/errors.js';
import type { Simulator } from '../src/simulator/index.js';
import { createUpstreamClient, type UpstreamClient } from '../src/upstream/client.js';
import { createMemoryIdempotencyStore, type IdempotencyStore } from '../src/upstream/idempotency.js';
import { createLimiter } from '../src/upstream/limiter.js';
import { createTaskCreator, idempotencyStoreKey, type TaskCreatorOptions } from '../src/upstream/task-creator.js';
import { inputFingerprint } from '../src/upstream/create-request.js';
import type { TaskResult } from '../src/upstream/task-source.js';
import type { VideoTask } from '../src/upstream/video-task.js';
import { onDispose, startSimulator, waitFor } from './helpers.js';

const credentials = createCredentials('task-creator-test-secret');
const alice = credentials.fromToken('sk-alice-0001');
const bob = credentials.fromToken('sk-bob-0002');
const INPUT = { model: 'doubao-seedance-1-0-pro', prompt: 'a cat on a skateboard', durationSeconds: 5 };

let simulator: Simulator;
let upstream: UpstreamClient;

beforeAll(async () => {
  simulator = await startSimulator();
  upstream = createUpstreamClient({ baseUrl: simulator.url, createTimeoutMs: 200 });
  onDispose(() => upstream.dispose());
});

beforeEach(() => {
  simulator.setLatency(0);
  simulator.requests.length = 0;
});

const posts = () => simulator.requests.filter((r) => r.method === 'POST');

function creator(options: Partial<TaskCreatorOptions> = {}) {
  return createTaskCreator({ createTask: upstream.createTask, limiter: createLimiter(), store: createMemoryIdempotencyStore(), createTimeoutMs: 200, pendingCheckMs: 5, ...options });
}

function expectTask(result: TaskResult): VideoTask {
  if (!result.ok) throw new Error(`expected a task, got the failure ${JSON.stringify(result.failure)}`);
  return result.task;
}

function expectFailure(result: TaskResult) {
  if (result.ok) throw new Error(`expected a failure, got the task ${JSON.stringify(result.task)}`);
  return result.failure;
}

describe('createTaskCreator', () => {
  it('should create a new task on every call without an idempotency key', async () => {
    const create = creator();
    const a = expectTask(await create.create(alice, INPUT));
    const b = expectTask(await create.create(alice, INPUT));
    expect(a.id).not.toBe(b.id);
    expect(posts()).toHaveLength(2);
  });

  it('should answer a sequential repeat with the same key and input with the same task, without a second POST', async () => {
    const create = creator();
    const first = expectTask(await create.create(alice, INPUT, 'key-1'));
    const again = expectTask(await create.create(alice, { ...INPUT }, 'key-1'));
    expect(again).toEqual(first);
    expect(posts()).toHaveLength(1);
  });

  it('should send one POST for 10 concurrent duplicates and give all of them its task', async () => {
    simulator.setLatency(50);
    const create = creator();
    const results = await Promise.all(Array.from({ length: 10 }, () => create.create(alice, INPUT, 'key-concurrent')));
    const ids = new Set(results.map((r) => expectTask(r).id));
    expect(ids.size).toBe(1);
    expect(posts()).toHaveLength(1);
  });

  it('should refuse the same key with a different input with IDEMPOTENCY_KEY_REUSED, concurrent or later', async () => {
    simulator.setLatency(30);
    const create = creator();
    const [first, concurrent] = await Promise.all([create.create(alice, INPUT, 'key-reused'), create.create(alice, { ...INPUT, prompt: 'a dog' }, 'key-reused')]);
    expectTask(first);
    expect(expectFailure(concurrent).code).toBe(ErrorCode.IdempotencyKeyReused);
    expect(expectFailure(await create.create(alice, { ...INPUT, durationSeconds: 10 }, 'key-reused')).code).toBe(ErrorCode.IdempotencyKeyReused);
    expect(posts()).toHaveLength(1);
  });

  it('should keep keys per credential', async () => {
    const create = creator();
    const a = expectTask(await create.create(alice, INPUT, 'shared-key'));
    const b = expectTask(await create.create(bob, INPUT, 'shared-key'));
    expect(a.id).not.toBe(b.id);
    expect(posts()).toHaveLength(2);
  });

  it('should not remember a create the upstream refused, so the same key may be tried again', async () => {
    const create = creator();
    expect(expectFailure(await create.create(alice, { model: 'sim-quota-exceeded', prompt: 'p' }, 'key-refused')).code).toBe(ErrorCode.QuotaExceeded);
    expect(expectFailure(await create.create(alice, { model: 'sim-quota-exceeded', prompt: 'p' }, 'key-refused')).code).toBe(ErrorCode.QuotaExceeded);
    expect(posts()).toHaveLength(2);
  });

  it('should keep a timed-out create unknown: it and every repeat answer UPSTREAM_UNAVAILABLE with mayExist and send nothing more', async () => {
    const create = creator();
    const input = { model: 'sim-timeout', prompt: 'p' };
    const first = expectFailure(await create.create(alice, input, 'key-unknown'));
    expect([first.code, first.mayExist]).toEqual([ErrorCode.UpstreamUnavailable, true]);
    for (let i = 0; i < 3; i++) {
      const repeat = expectFailure(await create.create(alice, input, 'key-unknown'));
      expect([repeat.code, repeat.mayExist]).toEqual([ErrorCode.UpstreamUnavailable, true]);
    }
    expect(posts()).toHaveLength(1);
  });

  it('should forget a key after the TTL', async () => {
    const create = creator({ ttlMs: 50 });
    const first = expectTask(await create.create(alice, INPUT, 'key-ttl'));
    await new Promise((resolve) => setTimeout(resolve, 80));
    const later = expectTask(await create.create(alice, INPUT, 'key-ttl'));
    expect(later.id).not.toBe(first.id);
    expect(posts()).toHaveLength(2);
  });

  it('should wait for a create in flight on another instance sharing the store, then answer its task', async () => {
    simulator.setLatency(60);
    const store = createMemoryIdempotencyStore();
    const one = creator({ store });
    const two = creator({ store });
    const first = one.create(alice, INPUT, 'key-fleet');
    await waitFor(() => posts().length === 1, { message: 'the first POST' });
    const second = await two.create(alice, INPUT, 'key-fleet');
    expect(expectTask(second)).toEqual(expectTask(await first));
    expect(posts()).toHaveLength(1);
  });

  it('should let a new create claim a key whose pending marker expired (its instance died)', async () => {
    const store = createMemoryIdempotencyStore();
    const started = Date.now();
    // An instance that claimed the key and died before settling it.
    await store.claim(idempotencyStoreKey(alice, 'key-dead'), { state: 'pending', input: inputFingerprint(INPUT), owner: 'dead' }, 30);
    const create = creator({ store, createTimeoutMs: 30 });
    expectTask(await create.create(alice, INPUT, 'key-dead'));
    expect(posts()).toHaveLength(1);
    // The wait for the marker to expire was a wait, not a refusal.
    expect(simulator.requests[0]!.at - started).toBeGreaterThanOrEqual(25);
  });

  it('should refuse keyed creates, and let unkeyed ones go on, while the store is unreachable', async () => {
    const down: IdempotencyStore = {
      claim: () => Promise.reject(new Error('store down')),
      get: () => Promise.reject(new Error('store down')),
      settle: () => Promise.reject(new Error('store down')),
      release: () => Promise.reject(new Error('store down')),
      dispose: async () => {},
    };
    const errors: unknown[] = [];
    const create = creator({ store: down, onStoreError: (error) => errors.push(error) });
    const refused = expectFailure(await create.create(alice, INPUT, 'key-down'));
    expect([refused.code, refused.mayExist]).toEqual([ErrorCode.UpstreamUnavailable, undefined]);
    expect(posts()).toHaveLength(0);
    expectTask(await create.create(alice, INPUT));
    expect(posts()).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it('should fail fast while the circuit is open, sending nothing', async () => {
    const create = creator({ breaker: { state: 'open', stateOf: () => 'closed' } });
    const failure = expectFailure(await create.create(alice, INPUT, 'key-open'));
    expect(failure.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(posts()).toHaveLength(0);
  });

  it("should fail fast while the credential's own circuit is open, sending nothing", async () => {
    const create = creator({ breaker: { state: 'closed', stateOf: (fingerprint) => (fingerprint === alice.fingerprint ? 'open' : 'closed') } });
    expect(expectFailure(await create.create(alice, INPUT)).code).toBe(ErrorCode.UpstreamUnavailable);
    expect(posts()).toHaveLength(0);
    expectTask(await create.create(bob, INPUT));
    expect(posts()).toHaveLength(1);
  });

  it('should answer RATE_LIMITED without sending when the upstream queue is full', async () => {
    const limiter = createLimiter({ concurrency: 1, queueLimit: 1 });
    let release!: () => void;
    const blocker = limiter.run('poll', 'someone-else', () => new Promise<void>((resolve) => (release = resolve)));
    const waiting = limiter.run('poll', 'someone-else', async () => undefined);
    const create = creator({ limiter });
    const refused = expectFailure(await create.create(alice, INPUT, 'key-full'));
    expect([refused.code, refused.retryAfterMs]).toEqual([ErrorCode.RateLimited, 1000]);
    release();
    await Promise.all([blocker, waiting]);
    // Nothing was sent, so the key is free for a retry.
    expectTask(await create.create(alice, INPUT, 'key-full'));
    expect(posts()).toHaveLength(1);
  });

  it('should take a turn in the upstream budget', async () => {
    const limiter = createLimiter({ concurrency: 1 });
    let release!: () => void;
    const blocker = limiter.run('poll', 'someone-else', () => new Promise<void>((resolve) => (release = resolve)));
    const created = creator({ limiter }).create(alice, INPUT);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(posts()).toHaveLength(0);
    expect(limiter.queued).toBe(1);
    release();
    await blocker;
    expectTask(await created);
    expect(posts()).toHaveLength(1);
  });

  it('should tell of each task created, not of repeats', async () => {
    const seen: string[] = [];
    const create = creator({ onCreated: (_credential, task) => seen.push(task.id) });
    const task = expectTask(await create.create(alice, INPUT, 'key-seed'));
    await create.create(alice, INPUT, 'key-seed');
    expect(seen).toEqual([task.id]);
  });
});

describe('createMemoryIdempotencyStore', () => {
  it('should keep at most maxEntries keys, dropping the least recently used', async () => {
    const store = createMemoryIdempotencyStore({ maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await store.settle(key, { state: 'unknown', input: key }, 60_000);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('c')).toEqual({ state: 'unknown', input: 'c' });
  });

  it('should claim a key once and release it only for its owner', async () => {
    const store = createMemoryIdempotencyStore();
    expect(await store.claim('k', { state: 'pending', input: 'i', owner: 'one' }, 60_000)).toBeUndefined();
    expect(await store.claim('k', { state: 'pending', input: 'i', owner: 'two' }, 60_000)).toEqual({ state: 'pending', input: 'i', owner: 'one' });
    await store.release('k', 'two');
    expect(await store.get('k')).toBeDefined();
    await store.release('k', 'one');
    expect(await store.get('k')).toBeUndefined();
  });
});
