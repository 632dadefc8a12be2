import type { DestinationStream } from 'pino';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/app.js';
import type { Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type { Simulator } from '../src/simulator/index.js';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { codes, collect, execute, onDispose, sse, startSimulator, testConfig, waitFor, wsClient } from './helpers.js';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

interface LoggedGateway {
  endpoint: string;
  wsEndpoint: string;
  /** Every line logged so far, as written. */
  text(): string;
  /** Every line logged so far, parsed. */
  lines(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** The gateway at LOG_LEVEL debug, logging into memory (the same config defaults as startGateway). */
async function startLoggedGateway(simulator: Simulator, overrides: Partial<Config> = {}): Promise<LoggedGateway> {
  const written: string[] = [];
  const destination: DestinationStream = { write: (line) => void written.push(line) };
  const config = testConfig({ upstreamUrl: simulator.url, ...overrides });
  const gateway = createGateway({ config, logger: createLogger('debug', destination) });
  const url = await gateway.start();
  onDispose(() => gateway.stop());
  return {
    endpoint: `${url}/graphql`,
    wsEndpoint: `${url.replace(/^http/, 'ws')}/graphql`,
    text: () => written.join(''),
    lines: () => written.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: () => gateway.stop(),
  };
}

describe('logs', () => {
  it('should never contain a credential, whatever happened', async () => {
    const simulator = await startSimulator();
    const gw = await startLoggedGateway(simulator, { breakerThreshold: 1, breakerCooldownMs: 50, upstreamRetries: 1 });
    const tokens = { valid: 'tok-LOG-valid-111', refused: 'tok-LOG-refused-222', ws: 'tok-LOG-ws-333', sse: 'tok-LOG-sse-444', malformed: 'tok-LOG-basic-555' };
    simulator.refuseToken(tokens.refused);
    simulator.setTask('l-1', { status: 'in_progress', progress: '10%' });
    simulator.setTask('l-done', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/l.mp4' });

    expect((await execute(gw.endpoint, VideoTaskQuery, { id: 'l-1' }, auth(tokens.valid))).errors).toBeUndefined();
    expect(codes(await execute(gw.endpoint, VideoTaskQuery, { id: '../l' }, auth(tokens.valid)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await execute(gw.endpoint, VideoTaskQuery, { id: 'l-1' }, auth(tokens.refused)))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await execute(gw.endpoint, VideoTaskQuery, { id: 'l-1' }, { authorization: `Basic ${tokens.malformed}` }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await execute(gw.endpoint, `{ videoTask(id: "l-1") { nope } }`, undefined, auth(tokens.valid)))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    simulator.injectFault({ type: 'status', status: 500 }, 2);
    expect(codes(await execute(gw.endpoint, VideoTaskQuery, { id: 'l-2' }, auth(tokens.valid)))).toEqual(['UPSTREAM_UNAVAILABLE']);

    const viaWs = await collect(wsClient(gw.wsEndpoint, { connectionParams: { authorization: `Bearer ${tokens.ws}` } }), VideoTaskUpdated, { id: 'l-done' }).done;
    expect(viaWs.at(-1)?.data?.videoTaskUpdated.status).toBe('SUCCESS');
    const viaSse = await sse(gw.endpoint, VideoTaskUpdated, { id: 'l-done' }, auth(tokens.sse));
    expect(viaSse.at(-1)?.data?.videoTaskUpdated.status).toBe('SUCCESS');
    await gw.stop();

    const text = gw.text();
    // The breaker opening and the websocket connecting were logged: the log saw these operations.
    expect(text).toContain('circuit open');
    expect(text).toContain('websocket connected');
    for (const token of Object.values(tokens)) expect(text).not.toContain(token);
    expect(text).not.toContain('tok-LOG');
  });

  it('should give every operation line a requestId', async () => {
    const simulator = await startSimulator();
    const gw = await startLoggedGateway(simulator);
    await execute(gw.endpoint, VideoTaskQuery, { id: 'r-1' }, auth('t1'));
    await execute(gw.endpoint, VideoTaskQuery, { id: '../r' }, auth('t1'));
    const operations = gw.lines().filter((line) => line.msg === 'operation');
    expect(operations).toHaveLength(2);
    for (const line of operations) expect(line.requestId).toEqual(expect.any(String));
    expect(new Set(operations.map((line) => line.requestId)).size).toBe(2);
    expect(operations[1]?.errors).toEqual(['BAD_USER_INPUT']);
  });

  it('should echo a client x-request-id in the response and log it', async () => {
    const simulator = await startSimulator();
    const gw = await startLoggedGateway(simulator);
    const response = await fetch(gw.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123', ...auth('t1') },
      body: JSON.stringify({ query: '{ videoTask(id: "x-1") { status } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('abc-123');
    await response.text();
    await waitFor(() => gw.lines().some((line) => line.msg === 'operation'), { message: 'the operation line' });
    expect(gw.lines().find((line) => line.msg === 'operation')?.requestId).toBe('abc-123');
  });

  it('should replace an unsafe x-request-id with a generated one', async () => {
    const simulator = await startSimulator();
    const gw = await startLoggedGateway(simulator);
    const unsafe = 'abc 123\\"} {"injected":true';
    const response = await fetch(gw.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': unsafe, ...auth('t1') },
      body: JSON.stringify({ query: '{ videoTask(id: "x-2") { status } }' }),
    });
    await response.text();
    const echoed = response.headers.get('x-request-id');
    expect(echoed).toMatch(/^[\w.:-]{1,64}$/);
    await waitFor(() => gw.lines().some((line) => line.msg === 'operation'), { message: 'the operation line' });
    expect(gw.lines().find((line) => line.msg === 'operation')?.requestId).toBe(echoed);
    expect(gw.text()).not.toContain('injected');
  });

  it('should log each websocket operation with a request id of its connection and its own', async () => {
    const simulator = await startSimulator();
    const gw = await startLoggedGateway(simulator);
    simulator.setTask('ws-log-1', { status: 'success', progress: '100%' });
    const client = wsClient(gw.wsEndpoint, { connectionParams: auth('t1') });
    // Both at once, on one connection (the client opens it lazily and closes it when idle).
    await Promise.all([collect(client, VideoTaskUpdated, { id: 'ws-log-1' }).done, collect(client, VideoTaskUpdated, { id: 'ws-log-1' }).done]);
    const ids = gw.lines().filter((line) => line.msg === 'websocket operation').map((line) => String(line.requestId));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}:.+$/);
    expect(ids[0]!.split(':')[0]).toBe(ids[1]!.split(':')[0]);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
