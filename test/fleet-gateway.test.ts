import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { codes, collect, execute, startGateway, startSimulator, taskRequests, waitFor, wsClient, type TestGateway } from './helpers.js';
import { startRedis, type TestRedis } from './redis-server.js';

const INTERVAL_MS = 20;
const SECRET = 'fleet-gateway-test-secret';

/** A gateway instance of a fleet on `redis`, in this process. */
function startMember(redis: TestRedis, upstreamUrl: string, overrides: Parameters<typeof startGateway>[0] | object = {}): Promise<TestGateway> {
  return startGateway({ upstreamUrl, redisUrl: redis.url, fingerprintSecret: SECRET, leaseTtlMs: 300, pollIntervalMs: INTERVAL_MS, ...overrides });
}

const auth = (token: string) => ({ connectionParams: { authorization: `Bearer ${token}` } });
const statesOf = (results: { data?: { videoTaskUpdated: { status: string; progress: number } } | null }[]) =>
  results.map((r) => (r.data ? `${r.data.videoTaskUpdated.status}:${r.data.videoTaskUpdated.progress}` : 'error'));

function pin(sim: Awaited<ReturnType<typeof startSimulator>>, id: string, progress: number, status = 'in_progress'): void {
  sim.setTask(id, { status, progress: `${progress}%`, fail_reason: '', start_time: 1_700_000_000, finish_time: status === 'in_progress' ? 0 : 1_700_000_100 });
}

async function readiness(url: string) {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

describe('a fleet of gateways on Redis', { timeout: 60_000 }, () => {
  it('should poll a task once per tick for 3 instances x 20 subscribers, and give all 60 every change and the completion', async () => {
    const redis = await startRedis();
    const sim = await startSimulator({ durationMs: 600 });
    const members = [await startMember(redis, sim.url), await startMember(redis, sim.url), await startMember(redis, sim.url)];
    const id = 'fleet-60';
    const startedAt = Date.now();
    const subscriptions = members.flatMap((m) => {
      const client = wsClient(m.wsEndpoint, auth('t1'));
      return Array.from({ length: 20 }, () => collect(client, VideoTaskUpdated, { id }));
    });
    let maxLoops = 0;
    const sampler = setInterval(() => (maxLoops = Math.max(maxLoops, members.reduce((n, m) => n + m.gateway.stats.pollLoops, 0))), 2);
    const all = await Promise.all(subscriptions.map((s) => s.done));
    clearInterval(sampler);
    const elapsedMs = Date.now() - startedAt;

    expect(maxLoops).toBe(1);
    const reference = statesOf(all[0]!);
    expect(reference.at(-1)).toBe('SUCCESS:100');
    expect(reference.length).toBeGreaterThan(3);
    for (const results of all) expect(statesOf(results)).toEqual(reference);
    const requests = taskRequests(sim, id);
    expect(Math.max(...requests.map((r) => r.inFlightForTask))).toBe(1);
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / (INTERVAL_MS - 1)) + 2);
  });

  it('should give a late joiner on a fourth instance the final state with no upstream call', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const first = await startMember(redis, sim.url);
    const id = 'fleet-late-joiner';
    pin(sim, id, 100, 'success');
    await collect(wsClient(first.wsEndpoint, auth('t1')), VideoTaskUpdated, { id }).done;
    const before = taskRequests(sim, id).length;

    const fourth = await startMember(redis, sim.url);
    const late = await collect(wsClient(fourth.wsEndpoint, auth('t1')), VideoTaskUpdated, { id }).done;
    const query = await execute(fourth.endpoint, VideoTaskQuery, { id }, { authorization: 'Bearer t1' });

    expect(statesOf(late)).toEqual(['SUCCESS:100']);
    expect(query.data?.videoTask).toMatchObject({ status: 'SUCCESS' });
    expect(taskRequests(sim, id)).toHaveLength(before);
  });

  it('should keep two credentials watching the same task id apart: two leases, no cross-delivery', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startMember(redis, sim.url);
    const b = await startMember(redis, sim.url);
    const id = 'fleet-two-credentials';
    pin(sim, id, 20);
    const owner = collect(wsClient(a.wsEndpoint, auth('owner-token')), VideoTaskUpdated, { id });
    const stranger = collect(wsClient(b.wsEndpoint, auth('stranger-token')), VideoTaskUpdated, { id });
    const strangerOnA = collect(wsClient(a.wsEndpoint, auth('stranger-token')), VideoTaskUpdated, { id });
    await waitFor(() => owner.results.length === 1 && stranger.results.length === 1 && strangerOnA.results.length === 1, { timeoutMs: 15_000, message: 'every first state' });
    const leases = await redisKeys(redis, '*:lease');
    expect(leases).toHaveLength(2);
    for (const lease of leases) expect(lease).toMatch(/^vtg:\{[0-9a-f]{32}:fleet-two-credentials\}:lease$/);

    // From now on only the owner's credential may see the task.
    sim.restrictTask(id, 'owner-token');
    pin(sim, id, 30);
    for (const results of [await stranger.done, await strangerOnA.done]) {
      expect(statesOf(results)).toEqual(['IN_PROGRESS:20', 'error']);
      expect(codes(results[1]!)).toEqual(['TASK_NOT_FOUND']);
    }
    await waitFor(() => owner.results.length === 2, { timeoutMs: 15_000, message: 'the owner’s second state' });
    pin(sim, id, 100, 'success');
    expect(statesOf(await owner.done)).toEqual(['IN_PROGRESS:20', 'IN_PROGRESS:30', 'SUCCESS:100']);
    // The finished task is cached for its credential only.
    const strangerQuery = await execute(b.endpoint, VideoTaskQuery, { id }, { authorization: 'Bearer stranger-token' });
    expect(strangerQuery.data?.videoTask).toBeNull();
    expect((await redisKeys(redis, '*:final')).length).toBe(1);
  });

  it('should keep serving through a Redis outage (degraded, polling locally) and rejoin with one poller when it returns', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startMember(redis, sim.url);
    const b = await startMember(redis, sim.url);
    const id = 'fleet-redis-outage';
    pin(sim, id, 10);
    const onA = collect(wsClient(a.wsEndpoint, auth('t1')), VideoTaskUpdated, { id });
    const onB = collect(wsClient(b.wsEndpoint, auth('t1')), VideoTaskUpdated, { id });
    await waitFor(() => onA.results.length === 1 && onB.results.length === 1, { timeoutMs: 15_000, message: 'both first states' });
    expect(await readiness(a.url)).toEqual({ status: 200, body: { status: 'ready', redis: 'ok', upstreamCircuit: 'closed' } });

    await redis.kill();
    await waitFor(() => a.gateway.stats.pollLoops + b.gateway.stats.pollLoops === 2, { timeoutMs: 15_000, message: 'both instances to poll locally' });
    expect(await readiness(a.url)).toEqual({ status: 200, body: { status: 'degraded', redis: 'down', upstreamCircuit: 'closed' } });
    expect(await metric(a.url, 'fleet_redis_up')).toBe(0);
    expect((await metric(a.url, 'fleet_fallback_loops')) + (await metric(b.url, 'fleet_fallback_loops'))).toBe(2);
    pin(sim, id, 50);
    await waitFor(() => onA.results.length === 2 && onB.results.length === 2, { timeoutMs: 15_000, message: 'the change during the outage' });

    await redis.restart();
    await waitFor(async () => (await readiness(a.url)).body.status === 'ready' && a.gateway.stats.pollLoops + b.gateway.stats.pollLoops === 1, { timeoutMs: 15_000, message: 'one poller again' });
    expect((await metric(a.url, 'fleet_leases_held')) + (await metric(b.url, 'fleet_leases_held'))).toBe(1);
    pin(sim, id, 100, 'success');
    for (const results of [await onA.done, await onB.done]) expect(statesOf(results)).toEqual(['IN_PROGRESS:10', 'IN_PROGRESS:50', 'SUCCESS:100']);
  });

  it('should release its leases, close websockets with 1012 and cut SSE streams without completing them when an instance stops', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const gw = await startMember(redis, sim.url);
    const id = 'fleet-stop';
    pin(sim, id, 10);
    let closeCode: number | undefined;
    const ws = collect(wsClient(gw.wsEndpoint, { ...auth('t1'), on: { closed: (event) => (closeCode = (event as { code: number }).code) } }), VideoTaskUpdated, { id });
    ws.done.catch(() => {});
    const response = await fetch(gw.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer t1' },
      body: JSON.stringify({ query: print(VideoTaskUpdated), variables: { id } }),
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('data:')) text += new TextDecoder().decode((await reader.read()).value);
    await waitFor(() => ws.results.length === 1, { timeoutMs: 15_000, message: 'the websocket’s first state' });
    expect(await redisKeys(redis, '*:lease')).toHaveLength(1);

    await gw.dispose();
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toContain('"IN_PROGRESS"');
    expect(text).not.toContain('event: complete');
    expect(closeCode).toBe(1012);
    expect(ws.results.map(codes)).toEqual([[]]);
    expect(await redisKeys(redis, '*:lease')).toEqual([]);
  });

  it('should not end the subscribers of other instances when one instance stops', async () => {
    const redis = await startRedis();
    const sim = await startSimulator();
    const a = await startMember(redis, sim.url);
    const b = await startMember(redis, sim.url);
    const id = 'fleet-stop-one';
    pin(sim, id, 10);
    const onA = collect(wsClient(a.wsEndpoint, auth('t1')), VideoTaskUpdated, { id });
    onA.done.catch(() => {});
    const onB = collect(wsClient(b.wsEndpoint, auth('t1')), VideoTaskUpdated, { id });
    await waitFor(() => onA.results.length === 1 && onB.results.length === 1, { timeoutMs: 15_000, message: 'both first states' });

    await a.dispose();
    pin(sim, id, 60);
    await waitFor(() => onB.results.length === 2, { timeoutMs: 15_000, message: 'b to go on after a stopped' });
    pin(sim, id, 100, 'success');
    const results = await onB.done;
    expect(statesOf(results)).toEqual(['IN_PROGRESS:10', 'IN_PROGRESS:60', 'SUCCESS:100']);
    expect(results.flatMap(codes)).toEqual([]);
  });

  it('should start degraded when Redis is unreachable, and serve', async () => {
    const redis = await startRedis();
    await redis.kill();
    const sim = await startSimulator();
    const gw = await startMember(redis, sim.url);
    expect(await readiness(gw.url)).toEqual({ status: 200, body: { status: 'degraded', redis: 'down', upstreamCircuit: 'closed' } });
    pin(sim, 'fleet-no-redis', 100, 'success');
    const results = await collect(wsClient(gw.wsEndpoint, auth('t1')), VideoTaskUpdated, { id: 'fleet-no-redis' }).done;
    expect(statesOf(results)).toEqual(['SUCCESS:100']);
  });
});

/** Keys matching `pattern`, read with a short-lived connection of the test's own. */
async function redisKeys(redis: TestRedis, pattern: string): Promise<string[]> {
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url);
  try {
    return await client.keys(pattern);
  } finally {
    client.disconnect();
  }
}

describe('RATE_LIMIT_PER_CREDENTIAL in a fleet', () => {
  it("should count a credential's operations across the instances of a fleet", async () => {
    const redis = await startRedis();
    const simulator = await startSimulator();
    const a = await startMember(redis, simulator.url, { rateLimitPerCredential: 2 });
    const b = await startMember(redis, simulator.url, { rateLimitPerCredential: 2 });
    const post = (gw: TestGateway, token: string) =>
      fetch(gw.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: print(VideoTaskQuery), variables: { id: 'rate-1' } }),
      }).then((r) => r.status);
    expect([await post(a, 'fleet-busy'), await post(b, 'fleet-busy'), await post(a, 'fleet-busy')]).toEqual([200, 200, 429]);
    expect(await post(b, 'fleet-calm')).toBe(200);
  });
});
