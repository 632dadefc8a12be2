import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { VideoTaskQuery, VideoTasksQuery, VideoTaskUpdated } from './documents.js';
import { closeOf, codes, execute, rawSocket, startGateway, startSimulator, taskRequests, waitFor, wsClient } from './helpers.js';

// One client cannot hurt another: fairness, a credential's failures kept to itself, bounded work per request.

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const params = (token: string) => ({ connectionParams: { authorization: `Bearer ${token}` } });
const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** `[[[…]]]` nested `depth` levels, as JSON text: JSON.parse takes it, a recursive walk (JSON.stringify) overflows on it. */
const deeplyNested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A raw graphql-transport-ws socket past its `connection_ack`, with every message it receives. */
async function initSocket(wsEndpoint: string, token: string) {
  const socket = rawSocket(wsEndpoint);
  const messages: { id?: string; type: string; payload?: unknown }[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as (typeof messages)[number]));
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await waitFor(() => messages.some((m) => m.type === 'connection_ack'), { message: 'connection_ack' });
  return { socket, messages };
}

describe('fairness between credentials', () => {
  it("should serve another credential's query before the backlog of a credential flooding slow ids", async () => {
    const simulator = await startSimulator({ latencyMs: 50 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamConcurrency: 2 });
    // Three operations of 100 distinct ids each: 300 upstream requests queued ahead of the victim.
    const flood = [0, 1, 2].map((n) => execute(endpoint, VideoTasksQuery, { ids: ids(`noisy${n}`, 100) }, auth('noisy')));
    await waitFor(() => taskRequests(simulator).length >= 2, { message: 'the flood to reach the upstream' });
    const victim = await execute(endpoint, VideoTaskQuery, { id: 'quiet-1' }, auth('quiet'));
    expect(victim.errors).toBeUndefined();
    expect(victim.data?.videoTask?.id).toBe('quiet-1');
    // Its request went out within a round of turns, not after the 300 queued before it.
    const position = taskRequests(simulator).findIndex((r) => r.taskId === 'quiet-1');
    expect(position).toBeGreaterThanOrEqual(0);
    expect(position).toBeLessThan(10);
    await Promise.all(flood);
  });

  it('should drop queued reads of a client that disconnected before they reach the upstream', async () => {
    const simulator = await startSimulator({ latencyMs: 50 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamConcurrency: 1 });
    const controller = new AbortController();
    const flood = fetch(endpoint, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', ...auth('gone') },
      body: JSON.stringify({ query: print(VideoTasksQuery), variables: { ids: ids('gone', 100) } }),
    }).catch(() => undefined);
    await waitFor(() => taskRequests(simulator).length >= 1, { message: 'the first read' });
    controller.abort();
    await flood;
    // Another client's query goes through once the dropped backlog is out of the way.
    expect((await execute(endpoint, VideoTaskQuery, { id: 'after-1' }, auth('other'))).errors).toBeUndefined();
    expect(taskRequests(simulator).filter((r) => r.token === 'gone').length).toBeLessThan(5);
  });

  it('should drop queued reads whose operation deadline passed instead of sending them late', async () => {
    const simulator = await startSimulator({ latencyMs: 100 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamConcurrency: 1, upstreamTimeoutMs: 200, operationDeadlineMs: 400 });
    const result = await execute(endpoint, VideoTasksQuery, { ids: ids('late', 50) }, auth('late'));
    expect(codes(result)).toContain('UPSTREAM_UNAVAILABLE');
    expect((await execute(endpoint, VideoTaskQuery, { id: 'after-2' }, auth('other'))).errors).toBeUndefined();
    // Only reads that could still be answered within the deadline were sent.
    expect(taskRequests(simulator).filter((r) => r.token === 'late').length).toBeLessThanOrEqual(4);
  });

  it('should answer RATE_LIMITED with retryAfter at once when the upstream queue is full', async () => {
    const simulator = await startSimulator({ latencyMs: 200 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamConcurrency: 1, upstreamQueueLimit: 5 });
    // The credential is known first, so that its reads are queued together.
    await execute(endpoint, VideoTaskQuery, { id: 'warm-1' }, auth('busy'));
    const result = await execute(endpoint, VideoTasksQuery, { ids: ids('busy', 20) }, auth('busy'));
    const limited = (result.errors ?? []).filter((e) => e.extensions?.code === 'RATE_LIMITED');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.extensions?.retryAfter).toBe(1);
    expect(taskRequests(simulator).filter((r) => r.token === 'busy').length).toBeLessThanOrEqual(7);
  });
});

describe("a credential's failures are its own", () => {
  it('should cost one upstream call for a refused token asking for a hundred ids, and none again within AUTH_FAILURE_TTL_MS', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.refuseToken('bogus');
    const first = await execute(endpoint, VideoTasksQuery, { ids: ids('bogus', 100) }, auth('bogus'));
    expect(new Set(codes(first))).toEqual(new Set(['UNAUTHENTICATED']));
    const second = await execute(endpoint, VideoTaskQuery, { id: 'bogus-x' }, auth('bogus'));
    expect(codes(second)).toEqual(['UNAUTHENTICATED']);
    expect(taskRequests(simulator).filter((r) => r.token === 'bogus')).toHaveLength(1);
  });

  it('should ask the upstream again once AUTH_FAILURE_TTL_MS is over', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, authFailureTtlMs: 100 });
    simulator.forbidToken('fb');
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'f-1' }, auth('fb')))).toEqual(['FORBIDDEN']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'f-2' }, auth('fb')))).toEqual(['FORBIDDEN']);
    expect(taskRequests(simulator).filter((r) => r.token === 'fb')).toHaveLength(2);
  });

  it("should open only the failing credential's circuit while other credentials read, and keep /readyz at 200", async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 0, breakerThreshold: 3, breakerCooldownMs: 60_000 });
    expect((await execute(endpoint, VideoTaskQuery, { id: 'ok-1' }, auth('healthy'))).errors).toBeUndefined();
    simulator.injectFault({ type: 'status', status: 500 }, 3);
    for (const id of ['x-1', 'x-2', 'x-3']) expect(codes(await execute(endpoint, VideoTaskQuery, { id }, auth('failing')))).toEqual(['UPSTREAM_UNAVAILABLE']);
    // Its circuit is open: the fourth read fails fast, without an upstream call.
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'x-4' }, auth('failing')))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(taskRequests(simulator).filter((r) => r.token === 'failing')).toHaveLength(3);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ upstreamCircuit: 'closed' });
    expect((await execute(endpoint, VideoTaskQuery, { id: 'ok-2' }, auth('healthy'))).errors).toBeUndefined();
  });

  it('should open the shared circuit when the failures come from two credentials', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 0, breakerThreshold: 3, breakerCooldownMs: 60_000 });
    simulator.injectFault({ type: 'status', status: 503 }, 3);
    for (const [id, token] of [['s-1', 'alice'], ['s-2', 'bob'], ['s-3', 'alice']] as const) await execute(endpoint, VideoTaskQuery, { id }, auth(token));
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ upstreamCircuit: 'open' });
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 's-4' }, auth('carol')))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(taskRequests(simulator)).toHaveLength(3);
  });

  it('should not count answers with a bad body toward the breaker', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 0, breakerThreshold: 2 });
    simulator.injectFault({ type: 'garbage' }, 3);
    for (const id of ['g-1', 'g-2', 'g-3']) expect(codes(await execute(endpoint, VideoTaskQuery, { id }, auth('t1')))).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await execute(endpoint, VideoTaskQuery, { id: 'g-4' }, auth('t1'))).errors).toBeUndefined();
  });
});

describe('bounded work per request', () => {
  it('should refuse a list argument longer than MAX_LIST_LENGTH before de-duplication, without an upstream call', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const result = await execute(endpoint, VideoTasksQuery, { ids: Array.from({ length: 200_000 }, () => 'x') }, auth('t1'));
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.data ?? null).toBeNull();
    expect(taskRequests(simulator)).toHaveLength(0);
  });

  it('should accept MAX_LIST_LENGTH copies of one id and ask the upstream once', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxListLength: 50 });
    const result = await execute(endpoint, VideoTasksQuery, { ids: Array.from({ length: 50 }, () => 'same-2') }, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.videoTasks).toHaveLength(50);
    expect(codes(await execute(endpoint, VideoTasksQuery, { ids: Array.from({ length: 51 }, () => 'same-2') }, auth('t1')))).toEqual(['BAD_USER_INPUT']);
    expect(taskRequests(simulator)).toHaveLength(1);
  });

  it('should refuse a list longer than MAX_LIST_LENGTH over websockets too', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, maxListLength: 10 });
    const client = wsClient(wsEndpoint, params('t1'));
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: print(VideoTasksQuery), variables: { ids: ids('w', 11) } }, { next: (r) => resolve(r.errors), error: resolve, complete: () => {} });
    });
    expect((errors as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(taskRequests(simulator)).toHaveLength(0);
  });

  it('should refuse a bearer token over MAX_TOKEN_BYTES with UNAUTHENTICATED and no upstream call', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxTokenBytes: 64 });
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'tok-1' }, auth('a'.repeat(65))))).toEqual(['UNAUTHENTICATED']);
    expect((await execute(endpoint, VideoTaskQuery, { id: 'tok-1' }, auth('a'.repeat(64)))).errors).toBeUndefined();
    expect(taskRequests(simulator).map((r) => r.token?.length)).toEqual([64]);
  });

  it('should close a websocket whose connectionParams carry a token over MAX_TOKEN_BYTES', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    const client = wsClient(wsEndpoint, { connectionParams: { authorization: `Bearer ${'a'.repeat(1 << 19)}` } });
    const closed = await new Promise<number>((resolve) => {
      client.on('closed', (event) => resolve((event as { code: number }).code));
      client.subscribe({ query: print(VideoTaskUpdated), variables: { id: 'big-1' } }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(closed).toBe(4403);
    expect(taskRequests(simulator)).toHaveLength(0);
  });
});

describe('client mistakes cost the client one operation, never a connection or a 500', () => {
  it('should answer a deeply nested variable over websockets with BAD_USER_INPUT and keep the other subscriptions going', async () => {
    const simulator = await startSimulator({ durationMs: 1000 });
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    const { socket, messages } = await initSocket(wsEndpoint, 't1');
    const query = JSON.stringify(print(VideoTaskUpdated));
    socket.send(`{"id":"live","type":"subscribe","payload":{"query":${query},"variables":{"id":"deep-1"}}}`);
    await waitFor(() => messages.some((m) => m.id === 'live' && m.type === 'next'), { message: 'the first event' });
    socket.send(`{"id":"deep","type":"subscribe","payload":{"query":${query},"variables":{"id":"deep-2","unused":${deeplyNested(100_000)}}}}`);
    await waitFor(() => messages.some((m) => m.id === 'deep'), { message: 'the answer to the deep variable' });
    expect(messages.filter((m) => m.id === 'deep')).toEqual([{ id: 'deep', type: 'error', payload: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })] }]);
    await waitFor(() => messages.some((m) => m.id === 'live' && m.type === 'complete'), { message: 'the live subscription to complete' });
    expect(socket.readyState).toBe(socket.OPEN);
  });

  it('should answer a deeply nested variable over SSE with BAD_USER_INPUT, not HTTP 500', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth('t1') },
      body: `{"query":${JSON.stringify(print(VideoTaskUpdated))},"variables":{"id":"deep-3","unused":${deeplyNested(100_000)}}}`,
    });
    const text = await response.text();
    expect(response.status).not.toBe(500);
    expect(text).toContain('BAD_USER_INPUT');
    expect(taskRequests(simulator)).toHaveLength(0);
  });

  it('should close a socket that sends a next frame with 4400, as for any invalid message', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    const { socket } = await initSocket(wsEndpoint, 't1');
    const closed = closeOf(socket);
    socket.send(JSON.stringify({ id: '1', type: 'next', payload: { data: {} } }));
    expect((await closed).code).toBe(4400);
  });

  it('should write nothing but JSON log lines when clients make mistakes over websockets', async () => {
    const simulator = await startSimulator();
    const written: string[] = [];
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, bodyLimitBytes: 1024 }, 'debug', { write: (line: string) => void written.push(line) });
    const consoleLines: unknown[][] = [];
    const original = { error: console.error, warn: console.warn, log: console.log };
    console.error = console.warn = console.log = (...args: unknown[]) => void consoleLines.push(args);
    try {
      const oversized = await initSocket(wsEndpoint, 't1');
      const oversizedClosed = closeOf(oversized.socket);
      oversized.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ __typename ${' '.repeat(2048)}}` } }));
      expect((await oversizedClosed).code).toBe(1009);
      const next = await initSocket(wsEndpoint, 't1');
      const nextClosed = closeOf(next.socket);
      next.socket.send(JSON.stringify({ id: '1', type: 'next', payload: {} }));
      expect((await nextClosed).code).toBe(4400);
    } finally {
      Object.assign(console, original);
    }
    expect(consoleLines).toEqual([]);
    for (const line of written.join('').split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('should answer an operation type the schema lacks with a 400 validation error over HTTP', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...auth('t1') },
      body: JSON.stringify({ query: 'mutation { x }' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions?: Record<string, unknown> }[] };
    expect(body.errors.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('should answer an operation type the schema lacks over websockets with a coded error and no internal extension', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    const client = wsClient(wsEndpoint, params('t1'));
    const errors = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: 'mutation { x }' }, { next: (r) => resolve(r.errors), error: resolve, complete: () => {} });
    });
    const list = errors as { extensions?: Record<string, unknown> }[];
    expect(list.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(list)).not.toContain('unexpected');
  });

  it('should end a subscription refused with 406 instead of leaving its poll loop running', async () => {
    const simulator = await startSimulator({ durationMs: 60_000 });
    const { endpoint, gateway } = await startGateway({ upstreamUrl: simulator.url });
    for (let i = 0; i < 5; i++) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...auth('t1') },
        body: JSON.stringify({ query: print(VideoTaskUpdated), variables: { id: `refused-${i}` } }),
      });
      expect(response.status).toBe(406);
      await response.arrayBuffer();
    }
    await waitFor(() => gateway.stats.subscribers === 0 && gateway.stats.pollLoops === 0, { message: 'the refused subscriptions to end' });
    // A poll sent just before its loop stopped may still arrive; a running loop would poll every 10 ms.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = taskRequests(simulator).length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(taskRequests(simulator).length).toBe(before);
  });
});

describe('upstream deadlines', () => {
  it('should not start an attempt that could not finish before the operation deadline', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamTimeoutMs: 200, operationDeadlineMs: 300 });
    simulator.injectFault({ type: 'hang' }, 10);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'hung-1' }, auth('t1'));
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    // A retry (after at most 100 ms of backoff) would start with under 100 ms left for a 200 ms attempt.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(taskRequests(simulator, 'hung-1')).toHaveLength(1);
    simulator.clearFaults();
    await simulator.stop();
  });
});

