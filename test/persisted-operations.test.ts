import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { print, type ExecutionResult } from 'graphql';
import type { Client } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import examplesManifest from '../examples/gql/persisted-documents.json' with { type: 'json' };
import livePageManifest from '../src/live-page/gql/persisted-documents.json' with { type: 'json' };
import { loadConfig } from '../src/config.js';
import { VideoTaskQuery } from './documents.js';
import { codes, startGateway, startSimulator, wsClient } from './helpers.js';
import { startRedis } from './redis-server.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const manifestPath = fileURLToPath(new URL('../examples/gql/persisted-documents.json', import.meta.url));
const [taskQueryId, taskQueryText] = Object.entries(examplesManifest).find(([, text]) => text.startsWith('query Task'))!;
const [taskUpdatesId] = Object.entries(examplesManifest).find(([, text]) => text.startsWith('subscription TaskUpdates'))!;

type Body = ExecutionResult<{ videoTask: { id: string } | null }>;

async function post(endpoint: string, body: Record<string, unknown>, accept = 'application/json'): Promise<{ status: number; body: Body }> {
  const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Body };
}

async function get(endpoint: string, params: Record<string, unknown>): Promise<{ status: number; body: Body }> {
  const url = new URL(endpoint);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  return { status: response.status, body: (await response.json()) as Body };
}

/** Runs a websocket subscription to its end: its results, or the errors it was refused with. */
function subscribe(client: Client, payload: { query: string; variables: Record<string, unknown>; extensions?: Record<string, unknown> }): Promise<unknown[]> {
  return new Promise((resolve) => {
    const results: unknown[] = [];
    client.subscribe(payload, { next: (r) => results.push(r), error: (e) => resolve([...results, e]), complete: () => resolve(results) });
  });
}

function apollo(endpoint: string, useGETForHashedQueries: boolean) {
  const requests: { method: string; sentQuery: boolean; status: number }[] = [];
  const link = new PersistedQueryLink({ sha256, useGETForHashedQueries }).concat(
    new HttpLink({
      uri: endpoint,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const sentQuery = new URL(String(input)).searchParams.has('query') || String(init?.body ?? '').includes('"query"');
        requests.push({ method: init?.method ?? 'GET', sentQuery, status: response.status });
        return response;
      },
    }),
  );
  return { client: new ApolloClient({ link, cache: new InMemoryCache() }), requests };
}

describe('automatic persisted queries', () => {
  for (const useGET of [false, true]) {
    it(`should miss, register and hit with Apollo's persisted-query link over ${useGET ? 'GET' : 'POST'}`, async () => {
      const simulator = await startSimulator();
      const gw = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'key' });
      const first = apollo(gw.endpoint, useGET);
      const { data } = await first.client.query({ query: VideoTaskQuery, variables: { id: 'apq-1' } });
      expect(data?.videoTask?.id).toBe('apq-1');
      const method = useGET ? 'GET' : 'POST';
      expect(first.requests).toEqual([
        { method, sentQuery: false, status: 404 },
        { method: 'POST', sentQuery: true, status: 200 },
      ]);
      const second = apollo(gw.endpoint, useGET);
      expect((await second.client.query({ query: VideoTaskQuery, variables: { id: 'apq-2' } })).data?.videoTask?.id).toBe('apq-2');
      expect(second.requests).toEqual([{ method, sentQuery: false, status: 200 }]);
    });
  }

  it('should answer a hash-only request for an unknown hash with PERSISTED_QUERY_NOT_FOUND', async () => {
    const simulator = await startSimulator();
    const gw = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'key' });
    const answer = await post(gw.endpoint, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ unknown }') } } });
    expect(answer.status).toBe(404);
    expect(answer.body.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    expect(codes(answer.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('should refuse to register a query under a hash that is not its own', async () => {
    const simulator = await startSimulator();
    const gw = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'key' });
    const query = print(VideoTaskQuery);
    const answer = await post(gw.endpoint, { query, variables: { id: 'apq-3' }, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other }') } } });
    expect(codes(answer.body)).toEqual(['PERSISTED_QUERY_MISMATCH']);
    const later = await get(gw.endpoint, { variables: { id: 'apq-3' }, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other }') } } });
    expect(codes(later.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('should keep at most APQ_CACHE_SIZE registrations, forgetting the least recently used', async () => {
    const simulator = await startSimulator();
    const gw = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'key', apqCacheSize: 1 });
    const a = '{ videoTask(id: "apq-a") { id } }';
    const b = '{ videoTask(id: "apq-b") { id } }';
    const pq = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });
    expect((await post(gw.endpoint, { query: a, extensions: pq(a) })).status).toBe(200);
    expect((await get(gw.endpoint, { extensions: pq(a) })).body.data?.videoTask?.id).toBe('apq-a');
    expect((await post(gw.endpoint, { query: b, extensions: pq(b) })).status).toBe(200);
    expect(codes((await get(gw.endpoint, { extensions: pq(a) })).body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await get(gw.endpoint, { extensions: pq(b) })).body.data?.videoTask?.id).toBe('apq-b');
  });
});

describe('automatic persisted queries in a fleet', () => {
  it('should find a query registered through one instance by its hash on another, through Redis', async () => {
    const redis = await startRedis();
    const simulator = await startSimulator();
    const member = () => startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'key', redisUrl: redis.url, fingerprintSecret: 'apq-fleet', apqTtlMs: 60_000 });
    const [a, b] = [await member(), await member()];
    const query = '{ videoTask(id: "apq-fleet-1") { id } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
    expect(codes((await get(b.endpoint, { extensions })).body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await post(a.endpoint, { query, extensions })).body.data?.videoTask?.id).toBe('apq-fleet-1');
    expect((await get(b.endpoint, { extensions })).body.data?.videoTask?.id).toBe('apq-fleet-1');
  });
});

describe('trusted documents (TRUSTED_DOCUMENTS)', () => {
  async function trustedGateway(overrides: { graphiql?: boolean } = {}) {
    const simulator = await startSimulator({ durationMs: 300 });
    // As configured from the environment: GraphiQL off unless GRAPHIQL says otherwise.
    const { graphiql } = loadConfig({ TRUSTED_DOCUMENTS: manifestPath });
    return startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'key', trustedDocuments: manifestPath, graphiql, ...overrides });
  }

  it('should run a listed operation named by documentId over POST and GET', async () => {
    const gw = await trustedGateway();
    const byPost = await post(gw.endpoint, { documentId: taskQueryId, variables: { id: 'td-1' } });
    expect(byPost.body.data?.videoTask?.id).toBe('td-1');
    const byGet = await get(gw.endpoint, { documentId: taskQueryId, variables: { id: 'td-2' } });
    expect(byGet.body.data?.videoTask?.id).toBe('td-2');
  });

  it('should run a listed operation named by extensions.persistedQuery.sha256Hash, with or without the sha256: prefix', async () => {
    const gw = await trustedGateway();
    for (const sha256Hash of [taskQueryId, taskQueryId.replace(/^sha256:/, '')]) {
      const answer = await post(gw.endpoint, { variables: { id: 'td-3' }, extensions: { persistedQuery: { version: 1, sha256Hash } } });
      expect(answer.body.data?.videoTask?.id).toBe('td-3');
    }
    expect(sha256(taskQueryText)).toBe(taskQueryId.replace(/^sha256:/, ''));
  });

  it('should refuse an operation sent as text, or named by an unlisted id, with PERSISTED_QUERY_NOT_IN_LIST', async () => {
    const gw = await trustedGateway();
    const text = await post(gw.endpoint, { query: print(VideoTaskQuery), variables: { id: 'td-4' } });
    expect(text.status, JSON.stringify(text.body)).toBe(400);
    expect(codes(text.body)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    const unlisted = await get(gw.endpoint, { documentId: `sha256:${sha256('{ __typename }')}` });
    expect(codes(unlisted.body), JSON.stringify(unlisted.body)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    // APQ registration is off: a query with its own hash is still not listed.
    const query = '{ videoTask(id: "td-5") { id } }';
    const register = await post(gw.endpoint, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    expect(codes(register.body), JSON.stringify(register.body)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
  });

  it('should run a listed subscription over websockets and refuse an unlisted one', async () => {
    const gw = await trustedGateway();
    const client = wsClient(gw.wsEndpoint);
    const listed = await subscribe(client, { query: '', variables: { id: 'td-ws-1' }, extensions: { persistedQuery: { version: 1, sha256Hash: taskUpdatesId } } });
    expect((listed.at(-1) as ExecutionResult<{ videoTaskUpdated: { status: string } }>).data?.videoTaskUpdated.status).toBe('SUCCESS');
    const unlisted = await subscribe(client, { query: 'subscription { videoTaskUpdated(id: "td-ws-2") { status } }', variables: {} });
    expect((unlisted[0] as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('should run a listed subscription over SSE', async () => {
    const gw = await trustedGateway();
    const response = await fetch(gw.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ documentId: taskUpdatesId, variables: { id: 'td-sse-1' } }),
    });
    const text = await response.text();
    expect(text).toContain('"status":"SUCCESS"');
    expect(text).toContain('event: complete');
    const refused = await fetch(gw.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { videoTaskUpdated(id: "td-sse-2") { status } }' }),
    });
    expect(await refused.text()).toContain('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it("should keep the live page working: its own documents are always listed", async () => {
    const gw = await trustedGateway();
    const [id, query] = Object.entries(livePageManifest).find(([, text]) => text.includes('videoTaskUpdated('))!;
    const results = await subscribe(wsClient(gw.wsEndpoint), { query, variables: { id: 'td-live-1' }, extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
    expect((results.at(-1) as ExecutionResult<{ videoTaskUpdated: { status: string } }>).data?.videoTaskUpdated.status).toBe('SUCCESS');
  });

  it('should not serve GraphiQL unless GRAPHIQL is set', async () => {
    const off = await trustedGateway();
    const page = await fetch(off.endpoint, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('graphiql');
    const on = await trustedGateway({ graphiql: loadConfig({ TRUSTED_DOCUMENTS: manifestPath, GRAPHIQL: 'true' }).graphiql });
    expect(await (await fetch(on.endpoint, { headers: { accept: 'text/html' } })).text()).toContain('graphiql');
  });

  it('should run operations sent as text too when GRAPHIQL is set, still refusing unlisted ids', async () => {
    const gw = await trustedGateway({ graphiql: true });
    expect((await post(gw.endpoint, { query: '{ videoTask(id: "td-gq-1") { id } }' })).body.data?.videoTask?.id).toBe('td-gq-1');
    const ws = await subscribe(wsClient(gw.wsEndpoint), { query: 'subscription { videoTaskUpdated(id: "td-gq-2") { status } }', variables: {} });
    expect((ws.at(-1) as ExecutionResult<{ videoTaskUpdated: { status: string } }>).data?.videoTaskUpdated.status).toBe('SUCCESS');
    expect(codes((await post(gw.endpoint, { documentId: 'sha256:0000' })).body)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
  });
});
