import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCredentials } from '../src/credential.js';
import { ErrorCode } from '../src/errors.js';
import { createRedisIdempotencyStore } from '../src/fleet/idempotency.js';
import { createRedis } from '../src/fleet/redis.js';
import type { Simulator } from '../src/simulator/index.js';
import { createUpstreamClient, type UpstreamClient } from '../src/upstream/client.js';
import { createLimiter } from '../src/upstream/limiter.js';
import { createTaskCreator, idempotencyStoreKey } from '../src/upstream/task-creator.js';
import type { TaskResult } from '../src/upstream/task-source.js';
import { CreateVideoTask } from './documents.js';
import { codes, execute, onDispose, startGateway, startSimulator } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

const credentials = createCredentials('idempotency-redis-test-secret');
const alice = credentials.fromToken('sk-alice-redis-0001');
const INPUT = { model: 'doubao-seedance-1-0-pro', prompt: 'a lighthouse at dusk' };

let redis: TestRedis;
let simulator: Simulator;
let upstream: UpstreamClient;

beforeAll(async () => {
  redis = await startRedis();
  simulator = await startSimulator();
  upstream = createUpstreamClient({ baseUrl: simulator.url, createTimeoutMs: 200 });
  onDispose(() => upstream.dispose());
});

afterEach(() => {
  simulator.setLatency(0);
  simulator.requests.length = 0;
});

const posts = () => simulator.requests.filter((r) => r.method === 'POST');

/** One gateway instance's creator, with its own Redis connection. */
async function instance() {
  const connection = await createRedis({ url: redis.url });
  await connection.ready(2000);
  onDispose(() => connection.dispose());
  const store = createRedisIdempotencyStore({ redis: connection, prefix: 'test:' });
  const creator = createTaskCreator({ createTask: upstream.createTask, limiter: createLimiter(), store, createTimeoutMs: 200, pendingCheckMs: 5 });
  return { connection, store, creator };
}

function expectTask(result: TaskResult) {
  if (!result.ok) throw new Error(`expected a task, got the failure ${JSON.stringify(result.failure)}`);
  return result.task;
}

describe('createRedisIdempotencyStore', () => {
  it('should answer a repeat on another instance with the same task, without a second POST', async () => {
    const [one, two] = [await instance(), await instance()];
    const first = expectTask(await one.creator.create(alice, INPUT, 'redis-seq'));
    expect(expectTask(await two.creator.create(alice, INPUT, 'redis-seq'))).toEqual(first);
    expect(posts()).toHaveLength(1);
  });

  it('should send one POST for 10 concurrent duplicates spread over two instances', async () => {
    simulator.setLatency(50);
    const [one, two] = [await instance(), await instance()];
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).creator.create(alice, INPUT, 'redis-concurrent')));
    expect(new Set(results.map((r) => expectTask(r).id)).size).toBe(1);
    expect(posts()).toHaveLength(1);
  });

  it('should refuse the same key with another input on another instance', async () => {
    const [one, two] = [await instance(), await instance()];
    expectTask(await one.creator.create(alice, INPUT, 'redis-reused'));
    const other = await two.creator.create(alice, { ...INPUT, prompt: 'a lighthouse at dawn' }, 'redis-reused');
    expect(other.ok ? undefined : other.failure.code).toBe(ErrorCode.IdempotencyKeyReused);
  });

  it('should keep an unknown outcome for every instance, and forget a refused create', async () => {
    const [one, two] = [await instance(), await instance()];
    const timedOut = { model: 'sim-timeout', prompt: 'p' };
    await one.creator.create(alice, timedOut, 'redis-unknown');
    const repeat = await two.creator.create(alice, timedOut, 'redis-unknown');
    expect(repeat.ok ? undefined : [repeat.failure.code, repeat.failure.mayExist]).toEqual([ErrorCode.UpstreamUnavailable, true]);
    const refused = { model: 'sim-no-price', prompt: 'p' };
    await one.creator.create(alice, refused, 'redis-refused');
    await two.creator.create(alice, refused, 'redis-refused');
    expect(posts().map((p) => (p.body as { model: string }).model)).toEqual(['sim-timeout', 'sim-no-price', 'sim-no-price']);
  });

  it('should store only fingerprints and hashes: never the token or the client key', async () => {
    const { connection, creator } = await instance();
    expectTask(await creator.create(alice, INPUT, 'redis-secret-key'));
    const keys = await connection.client.keys('test:idem:*');
    expect(keys).toContain(`test:idem:{${idempotencyStoreKey(alice, 'redis-secret-key')}}`);
    const values = await Promise.all(keys.map((key) => connection.client.get(key)));
    for (const text of [...keys, ...values]) {
      expect(text).not.toContain('sk-alice-redis-0001');
      expect(text).not.toContain('redis-secret-key');
    }
  });

  it('should refuse keyed creates while Redis is unreachable and let unkeyed ones go on', async () => {
    const down = await startRedis();
    const connection = await createRedis({ url: down.url });
    await connection.ready(2000);
    onDispose(() => connection.dispose());
    const creator = createTaskCreator({ createTask: upstream.createTask, limiter: createLimiter(), store: createRedisIdempotencyStore({ redis: connection }) });
    await down.kill();
    const keyed = await creator.create(alice, INPUT, 'redis-down');
    expect(keyed.ok ? undefined : [keyed.failure.code, keyed.failure.mayExist]).toEqual([ErrorCode.UpstreamUnavailable, undefined]);
    expect(posts()).toHaveLength(0);
    expectTask(await creator.create(alice, INPUT));
    expect(posts()).toHaveLength(1);
  });
});

describe('createVideoTask in a fleet', () => {
  const members = (count: number) =>
    Promise.all(Array.from({ length: count }, () => startGateway({ upstreamUrl: simulator.url, redisUrl: redis.url, fingerprintSecret: 'fleet-create-secret', leaseTtlMs: 300 })));
  const create = (endpoint: string, input: Record<string, unknown>) => execute(endpoint, CreateVideoTask, { input: { ...INPUT, ...input } as typeof INPUT }, { authorization: 'Bearer sk-fleet-create-0001' });

  it('should answer a repeat on another instance with the same task, and 10 concurrent duplicates over two instances with one POST', { timeout: 30_000 }, async () => {
    const [a, b] = await members(2);
    const first = await create(a!.endpoint, { idempotencyKey: 'fleet-order-1' });
    const again = await create(b!.endpoint, { idempotencyKey: 'fleet-order-1' });
    expect(first.errors).toBeUndefined();
    expect(again.data).toEqual(first.data);
    expect(posts()).toHaveLength(1);
    simulator.setLatency(50);
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => create((i % 2 ? a : b)!.endpoint, { idempotencyKey: 'fleet-order-2' })));
    expect(new Set(burst.map((r) => r.data?.createVideoTask.id)).size).toBe(1);
    expect(burst.every((r) => r.errors === undefined)).toBe(true);
    expect(posts()).toHaveLength(2);
    expect(codes(await create(a!.endpoint, { idempotencyKey: 'fleet-order-2', prompt: 'something else' }))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });
});
