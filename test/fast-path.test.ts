import { createHash } from 'node:crypto';
import { print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../src/simulator/index.js';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { collect, startGateway, startSimulator, wsClient, type TestGateway } from './helpers.js';

// The direct JSON-POST path and the websocket frame path (FAST_PATH) against yoga's and graphql-ws's own paths.

const auth = { authorization: 'Bearer t1' };

/** Records, per operation, which path built its context: yoga's handler hands plugins its fetch `Request`. */
function usePathProbe(paths: string[]): Plugin {
  return {
    onContextBuilding({ context }) {
      paths.push('request' in context && context.request ? 'yoga' : 'direct');
    },
  };
}

async function post(gw: TestGateway, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(gw.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

function pin(simulator: Simulator): void {
  simulator.setTask('fp-1', { status: 'in_progress', progress: '40%', submit_time: 1_700_000_000, start_time: 1_700_000_010, finish_time: 0 });
  simulator.setTask('fp-done', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/fp.mp4', submit_time: 1_700_000_000, start_time: 1_700_000_010, finish_time: 1_700_000_100 });
}

describe('FAST_PATH', () => {
  it('should answer queries and websocket subscriptions the same with FAST_PATH=false', async () => {
    const simulator = await startSimulator();
    pin(simulator);
    const on = await startGateway({ upstreamUrl: simulator.url });
    const off = await startGateway({ upstreamUrl: simulator.url, fastPath: false });
    const query = { query: print(VideoTaskQuery), variables: { id: 'fp-1' } };
    expect(await post(off, query)).toEqual(await post(on, query));
    const viaOn = await collect(wsClient(on.wsEndpoint, { connectionParams: auth }), VideoTaskUpdated, { id: 'fp-done' }).done;
    const viaOff = await collect(wsClient(off.wsEndpoint, { connectionParams: auth }), VideoTaskUpdated, { id: 'fp-done' }).done;
    expect(viaOff).toEqual(viaOn);
    expect(viaOn.at(-1)?.data?.videoTaskUpdated.status).toBe('SUCCESS');
  });

  it('should send JSON POSTs through yoga when FAST_PATH=false', async () => {
    const simulator = await startSimulator();
    pin(simulator);
    const paths: string[] = [];
    const on = await startGateway({ upstreamUrl: simulator.url }, 'silent', undefined, [usePathProbe(paths)]);
    await post(on, { query: print(VideoTaskQuery), variables: { id: 'fp-1' } });
    const off = await startGateway({ upstreamUrl: simulator.url, fastPath: false }, 'silent', undefined, [usePathProbe(paths)]);
    await post(off, { query: print(VideoTaskQuery), variables: { id: 'fp-1' } });
    expect(paths).toEqual(['direct', 'yoga']);
  });

  it('should hand requests carrying extensions.persistedQuery or documentId to yoga', async () => {
    const simulator = await startSimulator();
    pin(simulator);
    const paths: string[] = [];
    const gw = await startGateway({ upstreamUrl: simulator.url }, 'silent', undefined, [usePathProbe(paths)]);
    const query = print(VideoTaskQuery);
    await post(gw, { query, variables: { id: 'fp-1' } });
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    await post(gw, { query, variables: { id: 'fp-1' }, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    await post(gw, { variables: { id: 'fp-1' }, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    await post(gw, { query, variables: { id: 'fp-1' }, documentId: sha256Hash });
    // yoga refuses the documentId parameter (no trusted documents configured) before building a context.
    expect(paths).toEqual(['direct', 'yoga', 'yoga']);
  });
});

/** One HTTP request of the corpus: what a client sends. */
interface Case {
  name: string;
  method?: 'GET' | 'POST';
  /** The query string of a GET. */
  search?: string;
  body?: string;
  headers?: Record<string, string>;
}

const json = { 'content-type': 'application/json' };
const q = (query: string, variables?: unknown, operationName?: string) => JSON.stringify({ query, variables, operationName });
const corpus: Case[] = [
  { name: 'a query with variables', body: q(print(VideoTaskQuery), { id: 'fp-1' }), headers: { ...json, ...auth } },
  { name: 'a finished task', body: q('{ videoTask(id: "fp-done") { id status videoUrl finishedAt } }'), headers: { ...json, ...auth } },
  { name: 'graphql-response+json', body: q('{ videoTask(id: "fp-1") { id } }'), headers: { ...json, ...auth, accept: 'application/graphql-response+json' } },
  { name: 'application/json', body: q('{ videoTask(id: "fp-1") { id } }'), headers: { ...json, ...auth, accept: 'application/json' } },
  { name: 'operationName', body: q('query A { videoTask(id: "fp-1") { id } } query B { videoTask(id: "fp-done") { status } }', undefined, 'B'), headers: { ...json, ...auth } },
  { name: 'x-request-id echoed', body: q('{ videoTask(id: "fp-1") { id } }'), headers: { ...json, ...auth, 'x-request-id': 'req-42' } },
  { name: 'an unknown task', body: q('{ videoTask(id: "fp-unknown") { id } }'), headers: { ...json, ...auth } },
  { name: 'BAD_USER_INPUT: an invalid id', body: q('{ videoTask(id: "../x") { id } }'), headers: { ...json, ...auth } },
  { name: 'BAD_USER_INPUT: too many ids', body: q('query ($ids: [ID!]!) { videoTasks(ids: $ids) { id } }', { ids: Array.from({ length: 101 }, (_, i) => `id-${i}`) }), headers: { ...json, ...auth } },
  { name: 'BAD_USER_INPUT: a list too long', body: q('query ($ids: [ID!]!) { videoTasks(ids: $ids) { id } }', { ids: Array.from({ length: 1001 }, () => 'fp-1') }), headers: { ...json, ...auth } },
  { name: 'UNAUTHENTICATED: no token', body: q('{ videoTask(id: "fp-1") { id } }'), headers: json },
  { name: 'UNAUTHENTICATED: a malformed Authorization', body: q('{ videoTask(id: "fp-1") { id } }'), headers: { ...json, authorization: 'Basic abc' } },
  { name: 'FORBIDDEN', body: q('{ videoTask(id: "fp-1") { id } }'), headers: { ...json, authorization: 'Bearer forbidden-token' } },
  { name: 'GRAPHQL_PARSE_FAILED', body: q('{ videoTask(id: '), headers: { ...json, ...auth } },
  { name: 'GRAPHQL_VALIDATION_FAILED', body: q('{ videoTask(id: "fp-1") { nope } }'), headers: { ...json, ...auth } },
  { name: 'a variable of the wrong type', body: q(print(VideoTaskQuery), { id: { a: 1 } }), headers: { ...json, ...auth } },
  { name: 'a missing variable', body: q(print(VideoTaskQuery), {}), headers: { ...json, ...auth } },
  { name: 'bad JSON', body: '{"query": ', headers: { ...json, ...auth } },
  { name: 'a body without query', body: '{"variables":{}}', headers: { ...json, ...auth } },
  { name: 'a batch', body: `[${q('{ videoTask(id: "fp-1") { id } }')}]`, headers: { ...json, ...auth } },
  { name: 'text/plain', body: q('{ videoTask(id: "fp-1") { id } }'), headers: { 'content-type': 'text/plain', ...auth } },
  { name: 'an Accept the server cannot answer', body: q('{ videoTask(id: "fp-1") { id } }'), headers: { ...json, ...auth, accept: 'text/html' } },
  { name: 'GET', method: 'GET', search: `?query=${encodeURIComponent('{ videoTask(id: "fp-1") { id status } }')}`, headers: { ...auth, accept: 'application/json' } },
  { name: 'a body over BODY_LIMIT_BYTES', body: q('{ videoTask(id: "fp-1") { id } }', { pad: 'x'.repeat(1 << 20) }), headers: { ...json, ...auth } },
];

/** Status, the headers a client reads, and the body (parsed when JSON) of one answer. */
async function answer(gw: TestGateway, c: Case) {
  const response = await fetch(`${gw.endpoint}${c.search ?? ''}`, { method: c.method ?? 'POST', headers: c.headers, body: c.method === 'GET' ? undefined : c.body });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: compared as text.
  }
  return { status: response.status, contentType: response.headers.get('content-type'), requestId: response.headers.get('x-request-id'), body };
}

describe('the direct path against yoga', () => {
  it('should answer every request of the corpus exactly as yoga does', async () => {
    const simulator = await startSimulator();
    pin(simulator);
    simulator.addUnknown('fp-unknown');
    simulator.forbidToken('forbidden-token');
    const on = await startGateway({ upstreamUrl: simulator.url });
    const off = await startGateway({ upstreamUrl: simulator.url, fastPath: false });
    for (const c of corpus) {
      const fast = await answer(on, c);
      const standard = await answer(off, c);
      expect({ case: c.name, ...fast }).toEqual({ case: c.name, ...standard });
    }
  });

  it('should run every envelop hook yoga runs for a request, as often', async () => {
    const simulator = await startSimulator();
    pin(simulator);
    const counts = { fast: new Map<string, number>(), standard: new Map<string, number>() };
    const useCounting = (into: Map<string, number>): Plugin => {
      const count = (hook: string) => into.set(hook, (into.get(hook) ?? 0) + 1);
      return {
        onEnveloped: () => void count('onEnveloped'),
        onContextBuilding: () => (count('onContextBuilding'), () => void count('onContextBuilding:done')),
        onParse: () => (count('onParse'), () => void count('onParse:done')),
        onValidate: () => (count('onValidate'), () => void count('onValidate:done')),
        onExecute: () => (count('onExecute'), { onExecuteDone: () => void count('onExecuteDone') }),
      };
    };
    const on = await startGateway({ upstreamUrl: simulator.url }, 'silent', undefined, [useCounting(counts.fast)]);
    const off = await startGateway({ upstreamUrl: simulator.url, fastPath: false }, 'silent', undefined, [useCounting(counts.standard)]);
    for (const gw of [on, off]) {
      for (const id of ['fp-1', 'fp-done', 'fp-1']) await post(gw, { query: print(VideoTaskQuery), variables: { id } });
    }
    expect(counts.fast.get('onExecute')).toBe(3);
    expect(Object.fromEntries(counts.fast)).toEqual(Object.fromEntries(counts.standard));
  });
});

describe('masking of unexpected errors', () => {
  /** Parts that fail with a message no client may see. */
  const useBrokenParts = (): Plugin => ({
    onContextBuilding({ extendContext }) {
      const fail = () => {
        throw new Error('secret internal detail');
      };
      extendContext({ tasks: { get: fail, inFlight: 0 }, poller: { watch: fail, activeLoops: 0, watchedKeys: 0, dispose: async () => {} } } as never);
    },
  });

  const expectMasked = (errors: unknown) => {
    const text = JSON.stringify(errors);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('"unexpected"');
    expect((errors as { message: string }[])[0]?.message).toBe('Unexpected error.');
  };

  it('should mask them on the direct path, through yoga, over websockets and over SSE', async () => {
    const simulator = await startSimulator();
    const on = await startGateway({ upstreamUrl: simulator.url, production: true }, 'silent', undefined, [useBrokenParts()]);
    const off = await startGateway({ upstreamUrl: simulator.url, production: true, fastPath: false }, 'silent', undefined, [useBrokenParts()]);
    const query = { query: print(VideoTaskQuery), variables: { id: 'm-1' } };
    const fast = await post(on, query);
    const standard = await post(off, query);
    expect(fast).toEqual(standard);
    expectMasked((fast.body as { errors: unknown }).errors);

    const client = wsClient(on.wsEndpoint, { connectionParams: auth });
    const viaWs = (document: string) =>
      new Promise<unknown>((resolve) => client.subscribe({ query: document, variables: { id: 'm-2' } }, { next: (r) => resolve(r.errors), error: resolve, complete: () => {} }));
    expectMasked(await viaWs(print(VideoTaskQuery)));
    expectMasked(await viaWs(print(VideoTaskUpdated)));

    const sse = await fetch(on.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth },
      body: JSON.stringify({ query: print(VideoTaskUpdated), variables: { id: 'm-3' } }),
    });
    const text = await sse.text();
    const event = JSON.parse(/^data: (.+)$/m.exec(text)![1]!) as { errors: unknown };
    expectMasked(event.errors);
    expect(simulator.requests).toHaveLength(0);
  });
});
