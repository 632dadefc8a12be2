import { afterEach, describe, expect, it } from 'vitest';
import { createCredentials } from '../src/credential.js';
import { createFleet, type Fleet } from '../src/fleet/index.js';
import { fleetKeys } from '../src/fleet/keys.js';
import { createRedis } from '../src/fleet/redis.js';
import { createLogger } from '../src/logger.js';
import { withFleetCommands } from '../src/fleet/scripts.js';
import { createPollPolicy } from '../src/poller/policy.js';
import { createPoller, isFinalEvent, type Poller, type TaskEvent } from '../src/poller/poller.js';
import type { Simulator } from '../src/simulator/index.js';
import { createUpstreamClient } from '../src/upstream/client.js';
import { createLimiter } from '../src/upstream/limiter.js';
import { createTaskSource, type TaskSource } from '../src/upstream/task-source.js';
import { startSimulator, taskRequests, waitFor } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const credentials = createCredentials('fleet-test-secret');
const INTERVAL_MS = 20;

interface Instance {
  fleet: Fleet;
  source: TaskSource;
  poller: Poller;
}

/** One gateway's poller stack, as one instance of a fleet: simulator client, shared task cache, Redis bus and leases. */
async function startInstance(redis: TestRedis, sim: Simulator, { leaseTtlMs = 300, prefix = 'test:' } = {}): Promise<Instance> {
  const fleet = await createFleet({ url: redis.url, prefix, leaseTtlMs, connectTimeoutMs: 2000 });
  const client = createUpstreamClient({ baseUrl: sim.url, timeoutMs: 2000 });
  const source = createTaskSource({ fetchTask: client.fetchTask, limiter: createLimiter({ concurrency: 16 }), shared: fleet.tasks });
  const poller = createPoller({
    source,
    policy: createPollPolicy({ intervalMs: INTERVAL_MS, jitter: 0, queuedFactor: 1 }),
    bus: fleet.bus,
    ownership: fleet.ownership,
    leaseRetryMs: INTERVAL_MS,
  });
  cleanups.push(async () => {
    await poller.dispose();
    await fleet.dispose();
    await client.dispose();
  });
  return { fleet, source, poller };
}

const show = (event: TaskEvent) => (event.type === 'task' ? `${event.task.status}:${event.task.progress}` : `failure:${event.failure.code}`);

/** A watcher that keeps what it hears; `done` resolves on the final event. */
function record(instance: Instance, id: string, token = 'token-a') {
  const events: TaskEvent[] = [];
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => (resolve = r));
  const watch = instance.poller.watch(credentials.fromToken(token), id, (event) => {
    events.push(event);
    if (isFinalEvent(event)) resolve();
  });
  if (watch.current) events.push(watch.current);
  return { events, done, watch, shown: () => events.map(show) };
}

/** No event twice in a row: changes only, so a takeover or a rejoin repeated nothing. */
function expectNoRepeats(events: TaskEvent[]): void {
  expect(events.every((event, i) => i === 0 || JSON.stringify(event) !== JSON.stringify(events[i - 1]))).toBe(true);
}

function pin(sim: Simulator, id: string, progress: number, status = 'in_progress'): void {
  sim.setTask(id, { status, progress: `${progress}%`, fail_reason: '', start_time: 1_700_000_000, finish_time: status === 'in_progress' ? 0 : 1_700_000_100 });
}

describe('fleet leases', { timeout: 60_000 }, () => {
  it('should give a key to one instance at a time and hand it over on release', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startInstance(redis, sim);
    const b = await startInstance(redis, sim);
    const lost: string[] = [];

    const first = await a.fleet.ownership.acquire('fp:task', () => lost.push('a'));
    const second = await b.fleet.ownership.acquire('fp:task', () => lost.push('b'));
    expect(first?.startedAt).toEqual(expect.any(Number));
    expect(second).toBeUndefined();
    expect(a.fleet.ownership.held).toBe(1);

    a.fleet.ownership.release('fp:task');
    const third = await waitFor(() => b.fleet.ownership.acquire('fp:task', () => lost.push('b')), { timeoutMs: 15_000, message: 'b to get the lease' });
    // The watch started when a took it: MAX_WATCH_MS goes on counting.
    expect(third.startedAt).toBe(first!.startedAt);
    expect(b.fleet.ownership.takeovers).toBe(1);
    expect(lost).toEqual([]);
  });

  it('should let another instance take a lease its owner stopped renewing, and tell the old owner it lost it', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    // A TTL long enough that a busy machine's stalls cannot let it lapse between renewals.
    const a = await startInstance(redis, sim, { leaseTtlMs: 1000 });
    const b = await startInstance(redis, sim, { leaseTtlMs: 1000 });
    const lost: string[] = [];
    await a.fleet.ownership.acquire('fp:task', () => lost.push('a'));

    // Renewals keep it: three TTLs later it is still a's.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await b.fleet.ownership.acquire('fp:task', () => lost.push('b'))).toBeUndefined();

    // Another holder writes itself over the lease (as after an expiry): a's next renewal fails.
    const k = fleetKeys('test:', 'fp:task');
    await withFleetCommands(b.fleet.redis.client).set(k.lease, 'someone-else');
    await waitFor(() => lost.includes('a'), { timeoutMs: 15_000, message: 'a to lose the lease' });
    expect(a.fleet.ownership.held).toBe(0);
  });

  it('should release only a lease it still holds (compare-and-set)', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startInstance(redis, sim);
    const b = await startInstance(redis, sim);
    const client = withFleetCommands(a.fleet.redis.client);
    const k = fleetKeys('test:', 'fp:cas');
    await client.set(k.lease, b.fleet.instanceId, 'PX', 10_000);

    expect(await client.vtgRelease(k.lease, a.fleet.instanceId)).toBe(0);
    expect(await client.vtgRenew(k.lease, k.since, k.last, k.seq, a.fleet.instanceId, 10_000, 10_000)).toBe(0);
    expect(await client.get(k.lease)).toBe(b.fleet.instanceId);
    expect(await client.vtgRelease(k.lease, b.fleet.instanceId)).toBe(1);
  });
});

describe('the Redis connection', { timeout: 60_000 }, () => {
  it('should log an outage once, however many reconnections fail, and its end once', async () => {
    const redis = await startRedis();
    const lines: { level: number; msg: string; redis?: string }[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const connection = await createRedis({ url: redis.url, logger, maxReconnectDelayMs: 20 });
    cleanups.push(() => connection.dispose());
    expect(await connection.ready(5000)).toBe(true);
    const states: string[] = [];
    connection.onStateChange((state) => states.push(state));

    await redis.kill();
    await waitFor(() => states.includes('down'), { timeoutMs: 15_000, message: 'the outage' });
    // A few failed reconnections, 20 ms apart.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await redis.restart();
    await waitFor(() => states.at(-1) === 'ok', { timeoutMs: 15_000, message: 'the recovery' });

    expect(lines.filter((l) => l.redis === 'down')).toHaveLength(1);
    expect(lines.filter((l) => l.redis === 'ok')).toHaveLength(1);
    expect(states).toEqual(['down', 'ok']);
  });
});

describe('fleet bus', { timeout: 60_000 }, () => {
  it('should subscribe once per key and instance, however many watch, and deliver to the other instances only once', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startInstance(redis, sim);
    const b = await startInstance(redis, sim);
    const heardA: string[] = [];
    const heardB: string[] = [];
    const stops = [
      ...Array.from({ length: 5 }, () => a.fleet.bus.subscribe('fp:bus', (e) => heardA.push(show(e)))),
      ...Array.from({ length: 5 }, () => b.fleet.bus.subscribe('fp:bus', (e) => heardB.push(show(e)))),
    ];
    await a.fleet.bus.last('fp:bus');
    await b.fleet.bus.last('fp:bus');
    const [, subscribers] = (await a.fleet.redis.client.pubsub('NUMSUB', fleetKeys('test:', 'fp:bus').channel)) as [string, number];
    expect(subscribers).toBe(2);

    a.fleet.bus.publish('fp:bus', { type: 'failure', final: false, failure: { code: 'UPSTREAM_UNAVAILABLE', message: 'x' } });
    await waitFor(() => heardB.length === 5, { timeoutMs: 15_000, message: 'b to hear the event' });
    expect(heardA).toEqual(Array(5).fill('failure:UPSTREAM_UNAVAILABLE'));
    expect(await b.fleet.bus.last('fp:bus')).toMatchObject({ type: 'failure', failure: { code: 'UPSTREAM_UNAVAILABLE' } });
    for (const stop of stops) stop();
  });
});

describe('a fleet of pollers', { timeout: 60_000 }, () => {
  it('should poll a task once per tick across three instances and give every watcher every change', async () => {
    const redis = await startRedis();
    const sim = await startSimulator({ durationMs: 600 });
    const instances = [await startInstance(redis, sim), await startInstance(redis, sim), await startInstance(redis, sim)];
    const id = 'fleet-shared';
    const startedAt = Date.now();
    const watchers = instances.flatMap((instance) => Array.from({ length: 20 }, () => record(instance, id)));
    let maxLoops = 0;
    const sampler = setInterval(() => (maxLoops = Math.max(maxLoops, instances.reduce((n, i) => n + i.poller.activeLoops, 0))), 2);

    await Promise.all(watchers.map((w) => w.done));
    clearInterval(sampler);
    const elapsedMs = Date.now() - startedAt;

    expect(maxLoops).toBe(1);
    const reference = watchers[0]!.shown();
    expect(reference.at(-1)).toBe('SUCCESS:100');
    expect(reference.length).toBeGreaterThan(3);
    for (const w of watchers) {
      expect(w.shown()).toEqual(reference);
      expectNoRepeats(w.events);
    }
    const requests = taskRequests(sim, id);
    expect(Math.max(...requests.map((r) => r.inFlightForTask))).toBe(1);
    // One loop in the whole fleet: at most one request per interval (three loops would make three).
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / (INTERVAL_MS - 1)) + 2);
  });

  it('should give a late joiner on another instance the current state from Redis at once', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startInstance(redis, sim);
    const b = await startInstance(redis, sim);
    const id = 'fleet-late';
    pin(sim, id, 40);
    const first = record(a, id);
    await waitFor(() => first.events.length === 1, { timeoutMs: 15_000, message: 'the first state' });
    await waitFor(() => taskRequests(sim, id).length >= 3, { timeoutMs: 15_000, message: 'a few polls' });

    const late = record(b, id);
    await waitFor(() => late.events.length === 1, { timeoutMs: 15_000, message: 'the late joiner’s first event' });
    expect(late.shown()).toEqual(['IN_PROGRESS:40']);
    expect(b.poller.activeLoops).toBe(0);

    pin(sim, id, 100, 'success');
    await Promise.all([first.done, late.done]);
    expect(late.shown()).toEqual(['IN_PROGRESS:40', 'SUCCESS:100']);
  });

  it('should serve a task finished on one instance to another from the shared cache, without an upstream call', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startInstance(redis, sim);
    const b = await startInstance(redis, sim);
    const id = 'fleet-finished';
    pin(sim, id, 100, 'success');
    const watcher = record(a, id);
    await watcher.done;
    const before = taskRequests(sim, id).length;

    const viaQuery = await b.source.get(credentials.fromToken('token-a'), id, 'query');
    const late = record(b, id);
    await late.done;

    expect(viaQuery).toMatchObject({ ok: true, task: { status: 'SUCCESS' } });
    expect(late.shown()).toEqual(['SUCCESS:100']);
    expect(taskRequests(sim, id)).toHaveLength(before);
    // Another credential is another key: nothing of token-a's is served to token-b.
    const other = await b.source.get(credentials.fromToken('token-b'), id, 'query');
    expect(other.ok).toBe(true);
    expect(taskRequests(sim, id)).toHaveLength(before + 1);
  });

  it('should take over the loop of an owner that stopped renewing, diffing against its last event', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const b = await startInstance(redis, sim, { leaseTtlMs: 200 });
    const id = 'fleet-takeover';
    const key = `${credentials.fromToken('token-a').fingerprint}:${id}`;
    const k = fleetKeys('test:', key);
    // A dead owner: it took the lease, published one state and was never heard of again.
    const dead = withFleetCommands(b.fleet.redis.client);
    const startedAt = Date.now() - 1000;
    // Held long enough to check that b only listens meanwhile; expired by hand below.
    await dead.vtgAcquire(k.lease, k.since, 'dead-owner', 60_000, startedAt, 600);
    pin(sim, id, 30);
    const state30 = await b.source.get(credentials.fromToken('token-a'), id, 'query');
    await dead.vtgPublish(k.last, k.since, k.seq, k.channel, 'dead-owner', JSON.stringify({ type: 'task', task: (state30 as { task: unknown }).task }), 600, 0);
    const before = taskRequests(sim, id).length;

    const watcher = record(b, id);
    await waitFor(() => watcher.events.length === 1, { timeoutMs: 15_000, message: 'the stored state' });
    expect(b.poller.activeLoops).toBe(0);
    await b.fleet.redis.client.pexpire(k.lease, 1);
    await waitFor(() => b.poller.activeLoops === 1, { timeoutMs: 15_000, message: 'the takeover' });
    expect(b.fleet.ownership.takeovers).toBe(1);
    // The same state polled again is no change: nothing is sent twice.
    await waitFor(() => taskRequests(sim, id).length >= before + 3, { timeoutMs: 15_000, message: 'polls after the takeover' });
    expect(watcher.shown()).toEqual(['IN_PROGRESS:30']);

    pin(sim, id, 100, 'success');
    await watcher.done;
    expect(watcher.shown()).toEqual(['IN_PROGRESS:30', 'SUCCESS:100']);
    expect(await b.fleet.redis.client.get(k.since)).toBeNull();
  });

  it('should end a watch with WATCH_TIMEOUT counted from the fleet-wide start, not the takeover', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const fleet = await createFleet({ url: redis.url, prefix: 'test:', leaseTtlMs: 200 });
    const client = createUpstreamClient({ baseUrl: sim.url, timeoutMs: 2000 });
    const source = createTaskSource({ fetchTask: client.fetchTask, limiter: createLimiter({ concurrency: 4 }) });
    const poller = createPoller({ source, policy: createPollPolicy({ intervalMs: INTERVAL_MS, jitter: 0 }), bus: fleet.bus, ownership: fleet.ownership, leaseRetryMs: INTERVAL_MS, maxWatchMs: 60_000 });
    cleanups.push(async () => {
      await poller.dispose();
      await fleet.dispose();
      await client.dispose();
    });
    const id = 'fleet-old-watch';
    pin(sim, id, 10);
    const k = fleetKeys('test:', `${credentials.fromToken('token-a').fingerprint}:${id}`);
    // The watch began two minutes ago on an instance that has since gone.
    await fleet.redis.client.set(k.since, `${Date.now() - 120_000}|gone`, 'PX', 10_000);

    const watcher = record({ fleet, source, poller }, id);
    await watcher.done;
    expect(watcher.shown()).toEqual(['failure:WATCH_TIMEOUT']);
  });

  it('should poll locally on every instance while Redis is down, reach the final state, and go back to one poller when it returns', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startInstance(redis, sim);
    const b = await startInstance(redis, sim);
    const id = 'fleet-redis-down';
    pin(sim, id, 10);
    const wa = record(a, id);
    const wb = record(b, id);
    await waitFor(() => wa.events.length === 1 && wb.events.length === 1, { timeoutMs: 15_000, message: 'both first states' });
    expect(a.poller.activeLoops + b.poller.activeLoops).toBe(1);

    await redis.kill();
    await waitFor(() => a.poller.activeLoops + b.poller.activeLoops === 2, { timeoutMs: 15_000, message: 'both instances to poll locally' });
    expect(a.fleet.ownership.fallback + b.fleet.ownership.fallback).toBe(2);
    pin(sim, id, 50);
    await waitFor(() => wa.events.length === 2 && wb.events.length === 2, { timeoutMs: 15_000, message: 'the change while Redis is down' });

    await redis.restart();
    await waitFor(() => a.poller.activeLoops + b.poller.activeLoops === 1 && a.fleet.ownership.held + b.fleet.ownership.held === 1, {
      message: 'one poller again',
    });
    pin(sim, id, 70);
    await waitFor(() => wa.events.length === 3 && wb.events.length === 3, { timeoutMs: 15_000, message: 'the change after the rejoin' });
    pin(sim, id, 100, 'success');
    await Promise.all([wa.done, wb.done]);
    for (const w of [wa, wb]) {
      expect(w.shown()).toEqual(['IN_PROGRESS:10', 'IN_PROGRESS:50', 'IN_PROGRESS:70', 'SUCCESS:100']);
    }
  });
});
