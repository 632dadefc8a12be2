import { describe, expect, it } from 'vitest';
import type { Simulator } from '../src/simulator/index.js';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { codes, collect, execute, startGateway, startSimulator, taskRequests, waitFor, wsClient, type TestGateway } from './helpers.js';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const params = (token: string) => ({ connectionParams: { authorization: `Bearer ${token}` } });
/** What each event of a subscription was: its error code, else the task's status. */
const timeline = (results: { data?: { videoTaskUpdated: { status: string } } | null | undefined; errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }[]) =>
  results.map((r) => codes(r)[0] ?? r.data?.videoTaskUpdated.status);

describe('retries', () => {
  it('should answer a query after one 503 thanks to a retry', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('r-503', { status: 'in_progress', progress: '20%' });
    simulator.injectFault({ type: 'status', status: 503 }, 1);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'r-503' }, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.videoTask).toMatchObject({ status: 'IN_PROGRESS', progress: 20 });
    expect(taskRequests(simulator, 'r-503').map((r) => r.status)).toEqual([503, 200]);
  });

  it('should answer UPSTREAM_UNAVAILABLE after one 503 when UPSTREAM_RETRIES is 0', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 0 });
    simulator.injectFault({ type: 'status', status: 503 }, 1);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'r-none' }, auth('t1'));
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(taskRequests(simulator, 'r-none')).toHaveLength(1);
  });

  it('should stop after UPSTREAM_RETRIES retries of a persistent 500', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 3 });
    simulator.injectFault({ type: 'status', status: 500 }, 100);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'r-500' }, auth('t1'));
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(taskRequests(simulator, 'r-500').map((r) => r.status)).toEqual([500, 500, 500, 500]);
  });

  it('should wait for the Retry-After of a 429 before retrying', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('r-429', { status: 'queued', progress: '10%' });
    simulator.injectFault({ type: 'status', status: 429, headers: { 'retry-after': '1' } }, 1);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'r-429' }, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.videoTask?.status).toBe('QUEUED');
    const [first, second, ...more] = taskRequests(simulator, 'r-429');
    expect(more).toHaveLength(0);
    expect([first?.status, second?.status]).toEqual([429, 200]);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it.each([
    ['401', (s: Simulator) => s.refuseToken('t1'), 'UNAUTHENTICATED'],
    ['403', (s: Simulator) => s.forbidToken('t1'), 'FORBIDDEN'],
    ['404', (s: Simulator) => s.injectFault({ type: 'status', status: 404 }, 5), undefined],
    ['400 task_not_exist', (s: Simulator) => s.addUnknown('r-4xx'), undefined],
  ] as const)('should never retry a %s', async (_, arrange, code) => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    arrange(simulator);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'r-4xx' }, auth('t1'));
    expect(codes(result)).toEqual(code ? [code] : []);
    expect(result.data).toEqual({ videoTask: null });
    expect(taskRequests(simulator, 'r-4xx')).toHaveLength(1);
  });
});

describe('operation deadline', () => {
  it('should answer UPSTREAM_UNAVAILABLE by OPERATION_DEADLINE_MS while the upstream hangs', async () => {
    const simulator = await startSimulator();
    // Without the deadline, three hanging attempts of 10 s each would keep the query waiting for 30 s.
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamTimeoutMs: 10_000, operationDeadlineMs: 300 });
    simulator.injectFault({ type: 'hang' }, 10);
    const started = Date.now();
    const result = await execute(endpoint, VideoTaskQuery, { id: 'hang-1' }, auth('t1'));
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(Date.now() - started).toBeLessThan(5000);
    // Cut the hanging request so that the gateway's shutdown does not wait for it.
    simulator.clearFaults();
    await simulator.stop();
  });

  it('should answer UPSTREAM_UNAVAILABLE when every attempt hits UPSTREAM_TIMEOUT_MS', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamTimeoutMs: 150, operationDeadlineMs: 10_000 });
    simulator.injectFault({ type: 'hang' }, 10);
    const started = Date.now();
    const result = await execute(endpoint, VideoTaskQuery, { id: 'hang-2' }, auth('t1'));
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(taskRequests(simulator, 'hang-2')).toHaveLength(3);
  });
});

describe('circuit breaker', () => {
  /** A gateway whose circuit opened after three queries failed with a 500 each. */
  async function openCircuit(simulator: Simulator, cooldownMs: number): Promise<TestGateway> {
    const gw = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 0, breakerThreshold: 3, breakerCooldownMs: cooldownMs });
    simulator.injectFault({ type: 'status', status: 500 }, 1000);
    for (const id of ['b-1', 'b-2', 'b-3']) {
      expect(codes(await execute(gw.endpoint, VideoTaskQuery, { id }, auth('t1')))).toEqual(['UPSTREAM_UNAVAILABLE']);
    }
    expect(taskRequests(simulator)).toHaveLength(3);
    return gw;
  }

  it('should fail fast without calling the upstream once BREAKER_THRESHOLD requests failed in a row', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await openCircuit(simulator, 60_000);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'b-4' }, auth('t1'));
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(taskRequests(simulator)).toHaveLength(3);
  });

  it('should stay ready on /readyz while the circuit is open, and say so in the body', async () => {
    const simulator = await startSimulator();
    const { url } = await openCircuit(simulator, 60_000);
    const ready = await fetch(`${url}/readyz`);
    // Every replica sees the same upstream: a 503 would take the whole fleet out of the load balancer.
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'off', upstreamCircuit: 'open' });
  });

  it('should let a single trial request through after BREAKER_COOLDOWN_MS', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await openCircuit(simulator, 200);
    simulator.clearFaults();
    simulator.setLatency(300);
    // /readyz says half-open once the cooldown is over: the circuit lets a trial through.
    await waitFor(async () => ((await (await fetch(`${url}/readyz`)).json()) as { upstreamCircuit: string }).upstreamCircuit === 'half-open', { message: 'the cooldown to end' });
    const results = await Promise.all(['t-1', 't-2', 't-3'].map((id) => execute(endpoint, VideoTaskQuery, { id }, auth('t1'))));
    expect(taskRequests(simulator)).toHaveLength(4);
    const answered = results.filter((r) => r.data?.videoTask);
    expect(answered).toHaveLength(1);
    expect(results.filter((r) => codes(r)[0] === 'UPSTREAM_UNAVAILABLE')).toHaveLength(2);
  });

  it('should close after a successful trial, so /readyz answers 200 and queries reach the upstream', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await openCircuit(simulator, 200);
    simulator.clearFaults();
    simulator.setTask('c-1', { status: 'in_progress', progress: '50%' });
    const trial = await waitFor(
      async () => {
        const result = await execute(endpoint, VideoTaskQuery, { id: 'c-1' }, auth('t1'));
        return result.data?.videoTask ? result : undefined;
      },
      { intervalMs: 20, message: 'a query to succeed after the cooldown' },
    );
    expect(trial.data?.videoTask?.progress).toBe(50);
    // Queries refused during the cooldown never reached the upstream: only the trial did.
    expect(taskRequests(simulator)).toHaveLength(4);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'off', upstreamCircuit: 'closed' });
    for (const id of ['c-2', 'c-3']) {
      expect((await execute(endpoint, VideoTaskQuery, { id }, auth('t1'))).errors).toBeUndefined();
    }
    expect(taskRequests(simulator)).toHaveLength(6);
  });

  it('should not open on 401, 404 and 429 answers', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 0, breakerThreshold: 3, breakerCooldownMs: 60_000 });
    simulator.refuseToken('bad');
    for (const id of ['n-1', 'n-2', 'n-3']) await execute(endpoint, VideoTaskQuery, { id }, auth('bad'));
    simulator.injectFault({ type: 'status', status: 404 }, 3);
    for (const id of ['n-4', 'n-5', 'n-6']) await execute(endpoint, VideoTaskQuery, { id }, auth('t1'));
    simulator.injectFault({ type: 'status', status: 429 }, 3);
    for (const id of ['n-7', 'n-8', 'n-9']) expect(codes(await execute(endpoint, VideoTaskQuery, { id }, auth('t1')))).toEqual(['UPSTREAM_UNAVAILABLE']);
    // The refused credential costs one call: its 401 is remembered for AUTH_FAILURE_TTL_MS.
    expect(taskRequests(simulator).map((r) => r.status)).toEqual([401, 404, 404, 404, 429, 429, 429]);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'n-10' }, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(taskRequests(simulator)).toHaveLength(8);
  });
});

describe('in-flight de-duplication', () => {
  it('should share one upstream request between concurrent queries for the same task and credential', async () => {
    const simulator = await startSimulator({ latencyMs: 200 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('d-1', { status: 'in_progress', progress: '60%' });
    const results = await Promise.all([1, 2, 3].map(() => execute(endpoint, VideoTaskQuery, { id: 'd-1' }, auth('t1'))));
    for (const result of results) expect(result.data?.videoTask?.progress).toBe(60);
    expect(taskRequests(simulator, 'd-1')).toHaveLength(1);
  });

  it('should not share a request between different credentials', async () => {
    const simulator = await startSimulator({ latencyMs: 200 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('d-2', { status: 'in_progress', progress: '60%' });
    await Promise.all(['alice', 'bob', 'alice'].map((token) => execute(endpoint, VideoTaskQuery, { id: 'd-2' }, auth(token))));
    expect(taskRequests(simulator, 'd-2').map((r) => r.token).sort()).toEqual(['alice', 'bob']);
  });
});

describe('subscriptions through upstream trouble', () => {
  it('should ride through the upstream stopping and restarting on the same port', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, breakerCooldownMs: 100 });
    simulator.setTask('restart-1', { status: 'in_progress', progress: '40%' });
    const sub = collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'restart-1' });
    await waitFor(() => sub.results.length === 1, { message: 'the first event' });
    await simulator.stop();
    await waitFor(() => sub.results.length === 2, { message: 'the outage event' });
    const before = taskRequests(simulator, 'restart-1').length;
    simulator.setTask('restart-1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/restart.mp4' });
    await simulator.start();
    const results = await sub.done;
    expect(timeline(results)).toEqual(['IN_PROGRESS', 'UPSTREAM_UNAVAILABLE', 'SUCCESS']);
    expect(results.at(-1)?.data?.videoTaskUpdated.videoUrl).toBe('https://cdn.example.com/restart.mp4');
    expect(taskRequests(simulator, 'restart-1').length).toBeGreaterThan(before);
  });

  it.each(['garbage', 'html'] as const)('should send one UPSTREAM_BAD_RESPONSE event for %s answers mid-stream and go on', async (type) => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('bad-1', { status: 'in_progress', progress: '40%' });
    const sub = collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'bad-1' });
    await waitFor(() => sub.results.length === 1, { message: 'the first event' });
    simulator.injectFault({ type }, 3);
    await waitFor(() => sub.results.length === 3, { message: 'the error event and the recovery' });
    simulator.setTask('bad-1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/bad.mp4' });
    const results = await sub.done;
    expect(timeline(results)).toEqual(['IN_PROGRESS', 'UPSTREAM_BAD_RESPONSE', 'IN_PROGRESS', 'SUCCESS']);
  });
});

describe('the breaker and 4xx answers', () => {
  it('should not open on 4xx answers that are not about the upstream being down', async () => {
    const simulator = await startSimulator();
    const { endpoint, url } = await startGateway({ upstreamUrl: simulator.url, breakerThreshold: 2, upstreamRetries: 0 });
    simulator.injectFault({ type: 'status', status: 422, body: '{"code":"invalid_request","message":"no"}' }, 5);
    for (let i = 0; i < 4; i++) {
      const result = await execute(endpoint, '{ videoTask(id: "q-422") { id } }', undefined, { authorization: 'Bearer t1' });
      expect(result.errors?.[0]?.extensions?.code).toBe('UPSTREAM_BAD_RESPONSE');
    }
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(taskRequests(simulator, 'q-422')).toHaveLength(4);
  });
});

describe('the upstream budget and retries', () => {
  it('should hold no slot of UPSTREAM_CONCURRENCY while waiting to retry', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamConcurrency: 1, upstreamRetries: 1 });
    simulator.injectFault({ type: 'status', status: 429, headers: { 'retry-after': '1' } }, 1);
    const order: string[] = [];
    const first = execute(endpoint, '{ videoTask(id: "slot-a") { id } }', undefined, { authorization: 'Bearer t1' }).then((r) => {
      order.push('a');
      return r;
    });
    await waitFor(() => taskRequests(simulator, 'slot-a').length === 1, { message: 'the first attempt' });
    const second = await execute(endpoint, '{ videoTask(id: "slot-b") { id } }', undefined, { authorization: 'Bearer t1' });
    order.push('b');
    expect(second.data).toEqual({ videoTask: { id: 'slot-b' } });
    expect((await first).data).toEqual({ videoTask: { id: 'slot-a' } });
    expect(order).toEqual(['b', 'a']);
    const [aFirst, aRetry] = taskRequests(simulator, 'slot-a');
    const [b] = taskRequests(simulator, 'slot-b');
    expect(aFirst!.status).toBe(429);
    expect(b!.at).toBeLessThan(aRetry!.at);
  });
});
