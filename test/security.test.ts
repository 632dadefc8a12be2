import { request } from 'node:http';
import { getIntrospectionQuery, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions as WebSocketOptions } from 'ws';
import type { Simulator } from '../src/simulator/index.js';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { closeOf, codes, collect, execute, nextMessage, onDispose, rawSocket, sse, startGateway, startSimulator, taskRequests, waitFor, wsClient } from './helpers.js';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const params = (token: string) => ({ connectionParams: { authorization: `Bearer ${token}` } });

/** Ids that must never reach the upstream, each with a name for the failure report. */
const hostileIds: readonly (readonly [string, string])[] = [
  ['slash', 'a/b'],
  ['backslash', 'a\\b'],
  ['dot segment', '.'],
  ['dot-dot segment', '..'],
  ['parent path', '../x'],
  ['percent-encoded slash', 'a%2Fb'],
  ['percent-encoded dot-dot', '%2e%2e'],
  ['non-ASCII letter', 'tâche'],
  ['Cyrillic homoglyph', 't\u0430sk'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['bidi override', 'a\u202Eb'],
  ['leading space', ' a'],
  ['inner space', 'a b'],
  ['trailing tab', 'a\t'],
  ['empty', ''],
  ['129 characters', 'x'.repeat(129)],
  ['URL', 'http://x/y'],
  ['protocol-relative URL', '//evil'],
  ['query string', '?x=1'],
  ['fragment', '#f'],
];
const VALID_ID = 'ok-1';
const everyHostileRefused = Object.fromEntries(hostileIds.map(([name]) => [name, ['BAD_USER_INPUT']]));

/** Fails unless the upstream saw nothing but status lookups of `VALID_ID`, and at least one. */
function expectOnlyValidLookups(simulator: Simulator): void {
  const seen = new Set(simulator.requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.taskId)}`));
  expect(seen).toEqual(new Set([`GET /v1/video/generations/${VALID_ID} "${VALID_ID}"`]));
}

/** `count` aliased copies of `field`, e.g. `a0: videoTask(...) { id } a1: ...`. */
const aliased = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');
const allTaskFields = 'id status progress videoUrl error submittedAt startedAt finishedAt action upstreamStatus';

/** A POST whose raw answer text is kept: masking is checked on the bytes a client receives. */
async function postRaw(endpoint: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** Sends `body` in chunks without Content-Length; resolves with the answer, which may come before the body ends. */
function postChunked(endpoint: string, body: Buffer, chunkSize: number): Promise<{ status: number; text: string; requestHadLength: boolean }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    // A server that answers early may close the socket under the rest of the body: only an error before the answer counts.
    req.on('error', (error) => answered || reject(error));
    req.on('response', (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text, requestHadLength: req.hasHeader('content-length') });
        req.destroy();
      });
    });
    for (let offset = 0; offset < body.length; offset += chunkSize) req.write(body.subarray(offset, offset + chunkSize));
    req.end();
  });
}

/** 101 when the upgrade succeeded, else the HTTP status the server refused it with. */
function upgradeStatus(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    socket.once('open', () => resolve(101));
    socket.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
  });
}

/** Every code a subscription ended with, whether it came as an event or as a graphql-ws `error` message. */
async function subscriptionCodes(done: Promise<ExecutionResult[]>): Promise<unknown[]> {
  try {
    return (await done).flatMap((result) => codes(result));
  } catch (error) {
    return [`error message: ${(error as Error).message}`];
  }
}

describe('task ids', () => {
  it('should refuse every hostile id in videoTask with BAD_USER_INPUT and never send it upstream', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const query = `query ($id: ID!) { ok: videoTask(id: "${VALID_ID}") { id } bad: videoTask(id: $id) { id } }`;
    const outcomes: Record<string, unknown> = {};
    for (const [name, id] of hostileIds) {
      const result = await execute<{ ok: { id: string } | null; bad: unknown }, { id: string }>(endpoint, query, { id }, auth('t1'));
      expect(result.data, name).toEqual({ ok: { id: VALID_ID }, bad: null });
      outcomes[name] = codes(result);
    }
    expect(outcomes).toEqual(everyHostileRefused);
    expectOnlyValidLookups(simulator);
  });

  it('should refuse every hostile id in videoTasks with BAD_USER_INPUT and never send it upstream', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const query = 'query ($ids: [ID!]!) { videoTasks(ids: $ids) { id } }';
    const valid = await execute<{ videoTasks: { id: string }[] }, { ids: string[] }>(endpoint, query, { ids: [VALID_ID] }, auth('t1'));
    expect(valid.data).toEqual({ videoTasks: [{ id: VALID_ID }] });
    const outcomes: Record<string, unknown> = {};
    for (const [name, id] of hostileIds) {
      // The list is non-null: its error nulls the whole result.
      const result = await execute(endpoint, query, { ids: [VALID_ID, id] }, auth('t1'));
      expect(result.data ?? null, name).toBeNull();
      outcomes[name] = codes(result);
    }
    expect(outcomes).toEqual(everyHostileRefused);
    expectOnlyValidLookups(simulator);
  });

  it('should refuse every hostile id in a graphql-ws subscription with BAD_USER_INPUT and never send it upstream', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask(VALID_ID, { status: 'success', progress: '100%' });
    const client = wsClient(wsEndpoint, params('t1'));
    const valid = await collect(client, VideoTaskUpdated, { id: VALID_ID }).done;
    expect(valid.map((r) => r.data?.videoTaskUpdated.status)).toEqual(['SUCCESS']);
    const outcomes: Record<string, unknown> = {};
    for (const [name, id] of hostileIds) outcomes[name] = await subscriptionCodes(collect(client, VideoTaskUpdated, { id }).done);
    expect(outcomes).toEqual(everyHostileRefused);
    expectOnlyValidLookups(simulator);
  });

  it('should refuse every hostile id in an SSE subscription with BAD_USER_INPUT and never send it upstream', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask(VALID_ID, { status: 'success', progress: '100%' });
    const valid = await sse(endpoint, VideoTaskUpdated, { id: VALID_ID }, auth('t1'));
    expect(valid.map((r) => r.data?.videoTaskUpdated.status)).toEqual(['SUCCESS']);
    const outcomes: Record<string, unknown> = {};
    for (const [name, id] of hostileIds) outcomes[name] = await subscriptionCodes(sse(endpoint, VideoTaskUpdated, { id }, auth('t1')));
    expect(outcomes).toEqual(everyHostileRefused);
    expectOnlyValidLookups(simulator);
  });

  it('should accept a 128-character id made of every allowed kind of character', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const id = `Az09_.:-${'x'.repeat(120)}`;
    expect(id).toHaveLength(128);
    const result = await execute(endpoint, VideoTaskQuery, { id }, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.videoTask?.id).toBe(id);
    expect(taskRequests(simulator).map((r) => r.taskId)).toEqual([id]);
  });
});

describe('operation limits', () => {
  it('should refuse an introspection query nested deeper than MAX_DEPTH while introspection is on', async () => {
    const simulator = await startSimulator();
    const { endpoint, config } = await startGateway({ upstreamUrl: simulator.url });
    expect(config.introspection).toBe(true);
    // `__schema { types { ofType^n { name } } }` is n + 3 levels deep.
    const levels = config.maxDepth;
    const deep = `{ __schema { types { ${'ofType { '.repeat(levels)} name ${'} '.repeat(levels)} } } }`;
    const result = await execute(endpoint, deep, undefined, auth('t1'));
    expect(result.data ?? undefined).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/depth/i);
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('should answer the standard introspection query, so GraphiQL works', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const result = await execute<{ __schema: { queryType: { name: string } } }, undefined>(endpoint, getIntrospectionQuery(), undefined, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.__schema.queryType.name).toBe('Query');
  });

  it('should refuse more than MAX_ALIASES aliases before any upstream request', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const result = await execute(endpoint, `{ ${aliased(16, 'videoTask(id: "alias-1") { id }')} }`, undefined, auth('t1'));
    expect(result.errors?.[0]?.message).toMatch(/alias/i);
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should refuse a document of more than MAX_TOKENS tokens before any upstream request', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const result = await execute(endpoint, `{ videoTask(id: "tokens-1") { ${'id '.repeat(1000)} } }`, undefined, auth('t1'));
    expect(result.errors?.[0]?.message).toMatch(/token/i);
    expect(codes(result)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should refuse an operation costing more than MAX_COST before any upstream request', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxCost: 20 });
    const query = `{ ${Array.from({ length: 5 }, (_, i) => `c${i}: videoTask(id: "cost-${i}") { ${allTaskFields} }`).join(' ')} }`;
    const result = await execute(endpoint, query, undefined, auth('t1'));
    expect(result.errors?.[0]?.message).toMatch(/cost/i);
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should refuse more than MAX_DIRECTIVES directives before any upstream request', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const result = await execute(endpoint, `{ videoTask(id: "dir-1") { ${'id @include(if: true) '.repeat(11)} } }`, undefined, auth('t1'));
    expect(result.errors?.[0]?.message).toMatch(/directive/i);
    expect(codes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should refuse an over-limit subscription on a websocket with a coded error and keep the socket open', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('after-1', { status: 'success', progress: '100%' });
    let closeCode: number | undefined;
    const client = wsClient(wsEndpoint, { ...params('t1'), on: { closed: (event) => (closeCode = (event as { code: number }).code) } });
    const refused = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: `subscription { videoTaskUpdated(id: "alias-1") { ${aliased(16, 'id')} } }` },
        { next: resolve, error: resolve, complete: () => resolve('completed without an error') },
      );
    });
    expect(closeCode).toBeUndefined();
    const refusedCodes = Array.isArray(refused) ? refused.map((e: { extensions?: { code?: unknown } }) => e.extensions?.code) : refused;
    expect(refusedCodes).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const after = await collect(client, VideoTaskUpdated, { id: 'after-1' }).done;
    expect(after.map((r) => r.data?.videoTaskUpdated.status)).toEqual(['SUCCESS']);
    expect(taskRequests(simulator, 'alias-1')).toHaveLength(0);
  });

  describe('distinct task ids (MAX_TASK_IDS 3)', () => {
    const fields = 'a: videoTask(id: $a) { id } b: videoTask(id: $b) { id } list: videoTasks(ids: $list) { id }';

    it('should refuse four distinct literal ids across videoTask and videoTasks', async () => {
      const simulator = await startSimulator();
      const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxTaskIds: 3 });
      const result = await execute(endpoint, '{ a: videoTask(id: "a") { id } b: videoTask(id: "b") { id } list: videoTasks(ids: ["c", "d"]) { id } }', undefined, auth('t1'));
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(simulator.requests).toHaveLength(0);
    });

    it('should refuse four distinct ids given through variables', async () => {
      const simulator = await startSimulator();
      const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxTaskIds: 3 });
      const query = `query ($a: ID!, $b: ID!, $list: [ID!]!) { ${fields} }`;
      const result = await execute(endpoint, query, { a: 'a', b: 'b', list: ['c', 'd'] }, auth('t1'));
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(simulator.requests).toHaveLength(0);
    });

    it('should refuse four distinct ids given through variable defaults', async () => {
      const simulator = await startSimulator();
      const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxTaskIds: 3 });
      const query = `query ($a: ID! = "a", $b: ID! = "b", $list: [ID!]! = ["c", "d"]) { ${fields} }`;
      const result = await execute(endpoint, query, undefined, auth('t1'));
      expect(codes(result)).toEqual(['BAD_USER_INPUT']);
      expect(simulator.requests).toHaveLength(0);
    });

    it('should answer three distinct ids asked for in several fields, fetching each once', async () => {
      const simulator = await startSimulator();
      const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxTaskIds: 3 });
      const query = `query ($a: ID!, $b: ID!, $list: [ID!]!) { ${fields} again: videoTask(id: "a") { id } }`;
      const result = await execute(endpoint, query, { a: 'a', b: 'b', list: ['c', 'a', 'b'] }, auth('t1'));
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ a: { id: 'a' }, b: { id: 'b' }, list: [{ id: 'c' }, { id: 'a' }, { id: 'b' }], again: { id: 'a' } });
      expect(taskRequests(simulator).map((r) => r.taskId).sort()).toEqual(['a', 'b', 'c']);
    });

    it('should count an id repeated within one videoTasks list once', async () => {
      const simulator = await startSimulator();
      const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxTaskIds: 3 });
      const result = await execute(endpoint, '{ list: videoTasks(ids: ["a", "b", "a", "c", "b"]) { id } }', undefined, auth('t1'));
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ list: [{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: 'c' }, { id: 'b' }] });
      expect(taskRequests(simulator).map((r) => r.taskId).sort()).toEqual(['a', 'b', 'c']);
    });
  });
});

describe('HTTP', () => {
  it('should refuse a batch of operations without running any', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const { status, text } = await postRaw(endpoint, [{ query: '{ videoTask(id: "batch-1") { id } }' }, { query: '{ videoTask(id: "batch-2") { id } }' }], auth('t1'));
    expect(status).toBe(400);
    const body = JSON.parse(text) as ExecutionResult;
    expect(body.errors?.[0]?.message).toMatch(/batch/i);
    expect(codes(body)).toEqual(['BAD_REQUEST']);
    expect(simulator.requests).toHaveLength(0);
  });

  // A valid operation padded past the limit: were the limit not enforced, it would reach the upstream.
  const paddedOperation = (bytes: number) => {
    const base = { query: '{ videoTask(id: "big-1") { id } }', variables: { pad: '' } };
    base.variables.pad = 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(base)));
    return Buffer.from(JSON.stringify(base));
  };

  it('should answer 413 to a body over BODY_LIMIT_BYTES sent with Content-Length', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, bodyLimitBytes: 1024 });
    const { status, text } = await postRaw(endpoint, paddedOperation(1025).toString(), auth('t1'));
    expect(status).toBe(413);
    expect(codes(JSON.parse(text) as ExecutionResult)).toEqual(['REQUEST_ENTITY_TOO_LARGE']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should answer 413 to a chunked body over BODY_LIMIT_BYTES sent without Content-Length', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, bodyLimitBytes: 1024 });
    const { status, text, requestHadLength } = await postChunked(endpoint, paddedOperation(4096), 256);
    expect(requestHadLength).toBe(false);
    expect(status).toBe(413);
    expect(codes(JSON.parse(text) as ExecutionResult)).toEqual(['REQUEST_ENTITY_TOO_LARGE']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should accept a body of exactly BODY_LIMIT_BYTES', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, bodyLimitBytes: 1024 });
    const body = paddedOperation(1024);
    expect(body).toHaveLength(1024);
    const { status, text } = await postRaw(endpoint, body.toString(), auth('t1'));
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ data: { videoTask: { id: 'big-1' } } });
  });

  it('should serve no GraphiQL page in production with GraphiQL off', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, production: true, graphiql: false, introspection: false });
    const page = await fetch(endpoint, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await page.text()).not.toMatch(/graphiql/i);
  });

  it('should refuse __schema and __type introspection in production with introspection off', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, production: true, graphiql: false, introspection: false });
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "VideoTask") { fields { name } } }']) {
      const result = await execute(endpoint, query, undefined, auth('t1'));
      expect(result.data ?? undefined, query).toBeUndefined();
      expect(new Set(codes(result)), query).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    }
  });

  const typos = [
    '{ videoTsk(id: "x") { id } }',
    '{ videoTask(id: "x", idd: "x") { id } }',
    '{ videoTask(id: "x") { ... on VideoTsk { id } } }',
  ];

  it('should suggest no field, argument or type names when introspection is off', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, production: true, graphiql: false, introspection: false });
    for (const query of typos) {
      const result = await execute(endpoint, query, undefined, auth('t1'));
      expect(codes(result), query).toContain('GRAPHQL_VALIDATION_FAILED');
      const messages = (result.errors ?? []).map((e) => e.message).join('\n');
      expect(messages, query).not.toMatch(/did you mean/i);
      expect(messages, query).not.toMatch(/"videoTask"|"id"|"VideoTask"/);
    }
    expect(simulator.requests).toHaveLength(0);
  });

  it('should suggest names when introspection is on, since the schema is public then', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const result = await execute(endpoint, typos[0]!, undefined, auth('t1'));
    expect(result.errors?.[0]?.message).toMatch(/Did you mean "videoTask"/);
  });
});

describe('masking in production', () => {
  /** Fails if the raw answer carries a stack, an original error, a stack frame or any of `upstreamText`. */
  const expectNoLeak = (text: string, upstreamText: string[] = []) => {
    for (const leak of ['"stack"', 'originalError', ...upstreamText]) expect(text).not.toContain(leak);
    expect(text).not.toMatch(/\bat \S+ \(|\.[cm]?[jt]s:\d+:\d+/);
  };

  it('should send an invalid id error without stack or original error', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, production: true });
    const { text } = await postRaw(endpoint, { query: '{ videoTask(id: "../x") { id } }' }, auth('t1'));
    expect(codes(JSON.parse(text) as ExecutionResult)).toEqual(['BAD_USER_INPUT']);
    expectNoLeak(text);
  });

  it('should send an upstream 500 as UPSTREAM_UNAVAILABLE without its body', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, production: true, upstreamRetries: 0 });
    simulator.injectFault({ type: 'status', status: 500, body: 'UPSTREAM-SECRET-500 Error: boom\n    at handler (/srv/api/tasks.js:12:3)' });
    const { text } = await postRaw(endpoint, { query: '{ videoTask(id: "f500") { id } }' }, auth('t1'));
    expect(codes(JSON.parse(text) as ExecutionResult)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(taskRequests(simulator, 'f500').map((r) => r.status)).toEqual([500]);
    expectNoLeak(text, ['UPSTREAM-SECRET', 'boom']);
  });

  it('should send an upstream HTML page as UPSTREAM_BAD_RESPONSE without the page', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, production: true, upstreamRetries: 0 });
    simulator.injectFault({ type: 'html' });
    const { text } = await postRaw(endpoint, { query: '{ videoTask(id: "fhtml") { id } }' }, auth('t1'));
    expect(codes(JSON.parse(text) as ExecutionResult)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expectNoLeak(text, ['<html', 'It works!', 'Welcome']);
  });

  it('should send an upstream failure in an SSE subscription without the upstream body', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, production: true, upstreamRetries: 0 });
    simulator.setTask('fsse', { status: 'in_progress', progress: '10%' });
    simulator.injectFault({ type: 'html' });
    const controller = new AbortController();
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth('t1') },
      body: JSON.stringify({ query: 'subscription { videoTaskUpdated(id: "fsse") { id status } }' }),
      signal: controller.signal,
    });
    let text = '';
    const decoder = new TextDecoder();
    // The first event is the failed poll; the stream goes on after it, so it is cut once that event is in.
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (text.includes('UPSTREAM_BAD_RESPONSE') && /\n\n/.test(text.slice(text.indexOf('UPSTREAM_BAD_RESPONSE')))) break;
    }
    controller.abort();
    expect(text).toContain('UPSTREAM_BAD_RESPONSE');
    expectNoLeak(text, ['<html', 'It works!', 'Welcome']);
  });
});

describe('websockets', () => {
  it('should close a socket that sends no connection_init within WS_INIT_TIMEOUT_MS with 4408', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, wsInitTimeoutMs: 100 });
    const socket = rawSocket(wsEndpoint);
    const closed = closeOf(socket);
    expect(await upgradeStatus(socket)).toBe(101);
    expect((await closed).code).toBe(4408);
  });

  it('should close a socket that sends a malformed message with 4400, leaving other clients running', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('live-1', { status: 'in_progress', progress: '10%' });
    const other = collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'live-1' });
    await waitFor(() => other.results.length === 1, { message: "the other client's first event" });

    const socket = rawSocket(wsEndpoint);
    const closed = closeOf(socket);
    expect(await upgradeStatus(socket)).toBe(101);
    const ack = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'connection_init', payload: auth('t1') }));
    expect(await ack).toEqual({ type: 'connection_ack' });
    socket.send('{not json');
    expect((await closed).code).toBe(4400);

    simulator.setTask('live-1', { status: 'in_progress', progress: '20%' });
    await waitFor(() => other.results.length === 2, { message: "the other client's next event" });
    expect(other.results.map((r) => r.data?.videoTaskUpdated.progress)).toEqual([10, 20]);
    other.unsubscribe();
  });

  it('should refuse an upgrade beyond MAX_CONNECTIONS_PER_ADDRESS with 429 and accept one again after a close', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint, gateway } = await startGateway({ upstreamUrl: simulator.url, maxConnectionsPerAddress: 2, wsInitTimeoutMs: 60_000 });
    const first = rawSocket(wsEndpoint);
    expect(await upgradeStatus(first)).toBe(101);
    expect(await upgradeStatus(rawSocket(wsEndpoint))).toBe(101);
    expect(await upgradeStatus(rawSocket(wsEndpoint))).toBe(429);
    first.close();
    await waitFor(() => gateway.stats.connections === 1, { message: 'the gateway to see the close' });
    expect(await upgradeStatus(rawSocket(wsEndpoint))).toBe(101);
  });

  it('should refuse a websocket upgrade from an origin outside CORS_ORIGINS with 403', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, corsOrigins: ['https://app.example'] });
    expect(await upgradeStatus(rawSocket(wsEndpoint, { origin: 'https://evil.example' }))).toBe(403);
  });

  it('should accept a websocket upgrade from an allowed origin and from a client sending no Origin', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, corsOrigins: ['https://app.example'] });
    expect(await upgradeStatus(rawSocket(wsEndpoint, { origin: 'https://app.example' }))).toBe(101);
    expect(await upgradeStatus(rawSocket(wsEndpoint))).toBe(101);
  });

  it('should allow only CORS_ORIGINS in a CORS preflight', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, corsOrigins: ['https://app.example'] });
    const preflight = (origin: string) =>
      fetch(endpoint, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const allowed = await preflight('https://app.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).not.toBe('*');
  });
});

describe('credential isolation', () => {
  it("should never serve a finished task cached for one credential to another", async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.restrictTask('iso-1', 'alice');
    simulator.setTask('iso-1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/alice.mp4' });
    const alice = await execute(endpoint, VideoTaskQuery, { id: 'iso-1' }, auth('alice'));
    expect(alice.data?.videoTask?.videoUrl).toBe('https://cdn.example.com/alice.mp4');
    const aliceAgain = await execute(endpoint, VideoTaskQuery, { id: 'iso-1' }, auth('alice'));
    expect(aliceAgain.data).toEqual(alice.data);
    expect(taskRequests(simulator, 'iso-1').map((r) => r.token)).toEqual(['alice']); // cached now
    const bob = await execute(endpoint, VideoTaskQuery, { id: 'iso-1' }, auth('bob'));
    expect(bob.errors).toBeUndefined();
    expect(bob.data).toEqual({ videoTask: null });
    expect(taskRequests(simulator, 'iso-1').map((r) => r.token)).toEqual(['alice', 'bob']);
  });

  it("should end another credential's graphql-ws subscription with TASK_NOT_FOUND while the owner's goes on", async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.restrictTask('iso-2', 'alice');
    simulator.setTask('iso-2', { status: 'in_progress', progress: '10%' });
    const alice = collect(wsClient(wsEndpoint, params('alice')), VideoTaskUpdated, { id: 'iso-2' });
    await waitFor(() => alice.results.length === 1, { message: "alice's first event" });

    const bob = await collect(wsClient(wsEndpoint, params('bob')), VideoTaskUpdated, { id: 'iso-2' }).done;
    expect(bob.map(codes)).toEqual([['TASK_NOT_FOUND']]);
    expect(bob[0]?.data ?? null).toBeNull();
    expect(new Set(taskRequests(simulator, 'iso-2').map((r) => r.token))).toEqual(new Set(['alice', 'bob']));

    simulator.setTask('iso-2', { status: 'in_progress', progress: '60%' });
    await waitFor(() => alice.results.length === 2, { message: "alice's next event" });
    simulator.setTask('iso-2', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/alice.mp4' });
    const results = await alice.done;
    expect(results.map((r) => [codes(r), r.data?.videoTaskUpdated.status, r.data?.videoTaskUpdated.progress])).toEqual([
      [[], 'IN_PROGRESS', 10],
      [[], 'IN_PROGRESS', 60],
      [[], 'SUCCESS', 100],
    ]);
  });

  it('should not share an in-flight upstream request between credentials', async () => {
    const simulator = await startSimulator({ latencyMs: 150 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.restrictTask('iso-3', 'alice');
    simulator.setTask('iso-3', { status: 'in_progress', progress: '40%' });
    const alice = execute(endpoint, VideoTaskQuery, { id: 'iso-3' }, auth('alice'));
    // Bob asks while alice's request is still waiting on the upstream's latency.
    await waitFor(() => taskRequests(simulator, 'iso-3').length === 1, { message: "alice's request to arrive" });
    const bob = execute(endpoint, VideoTaskQuery, { id: 'iso-3' }, auth('bob'));
    const [a, b] = await Promise.all([alice, bob]);
    expect(a.data?.videoTask?.progress).toBe(40);
    expect(b.errors).toBeUndefined();
    expect(b.data).toEqual({ videoTask: null });
    expect(taskRequests(simulator, 'iso-3').map((r) => r.token)).toEqual(['alice', 'bob']);
  });

  it("should end another credential's SSE subscription with TASK_NOT_FOUND", async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.restrictTask('iso-4', 'alice');
    simulator.setTask('iso-4', { status: 'in_progress', progress: '10%' });
    const bob = await sse(endpoint, VideoTaskUpdated, { id: 'iso-4' }, auth('bob'));
    expect(bob.map(codes)).toEqual([['TASK_NOT_FOUND']]);
    expect(bob[0]?.data ?? null).toBeNull();
    expect(taskRequests(simulator, 'iso-4').map((r) => r.token)).toEqual(['bob']);
  });
});

describe('review fixes', () => {
  it('should refuse a bearer token with characters that cannot be sent upstream, without touching the breaker', async () => {
    const simulator = await startSimulator();
    const { endpoint, url } = await startGateway({ upstreamUrl: simulator.url, breakerThreshold: 1, upstreamRetries: 0 });
    for (let i = 0; i < 3; i++) {
      const result = await execute(endpoint, '{ videoTask(id: "t-1") { id } }', undefined, { authorization: 'Bearer tok en' });
      expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    }
    expect(simulator.requests).toHaveLength(0);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('should answer queries only on /graphql', async () => {
    const simulator = await startSimulator();
    const { url } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'k' });
    const response = await fetch(`${url}/not-graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ videoTask(id: "p-1") { id } }' }) });
    expect(response.status).toBe(404);
    expect(simulator.requests).toHaveLength(0);
  });
});
