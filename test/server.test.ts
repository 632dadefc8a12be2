import { lexicographicSortSchema, printSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';
import { VideoTaskUpdated } from './documents.js';
import { codes, collect, execute, startGateway, startSimulator, wsClient } from './helpers.js';

const introspection = '{ __schema { queryType { name } } }';

describe('serving', () => {
  it('should serve GraphiQL with its assets inlined, loading nothing from a CDN', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const response = await fetch(endpoint, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('YogaGraphiQL');
    expect(html).toContain('videoTaskUpdated');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    expect(html).not.toMatch(/<link[^>]+href="https?:/);
  });

  it('should serve neither GraphiQL nor introspection when they are turned off', async () => {
    const simulator = await startSimulator();
    const prod = await startGateway({ upstreamUrl: simulator.url, production: true, graphiql: false, introspection: false });
    const page = await fetch(prod.endpoint, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('YogaGraphiQL');
    const refused = await execute(prod.endpoint, introspection);
    expect(refused.data).toBeUndefined();
    expect(new Set(codes(refused))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    const dev = await startGateway({ upstreamUrl: simulator.url });
    const result = await execute(dev.endpoint, introspection);
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('should refuse introspection over websockets too when it is turned off', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, production: true, introspection: false });
    const client = wsClient(wsEndpoint);
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe({ query: introspection }, { next: resolve, error: resolve, complete: () => resolve('completed') });
    });
    expect(JSON.stringify(outcome)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(outcome)).not.toContain('queryType":{"name"');
  });

  it('should serve the live page and its script only when enabled', async () => {
    const simulator = await startSimulator();
    const on = await startGateway({ upstreamUrl: simulator.url, livePage: true });
    const page = await fetch(`${on.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script src="/live.js"');
    const script = await fetch(`${on.url}/live.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('videoTaskUpdated');
    const off = await startGateway({ upstreamUrl: simulator.url, livePage: false });
    expect((await fetch(`${off.url}/`)).status).toBe(404);
  });

  it('should allow any origin with CORS_ORIGINS=*', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, corsOrigins: ['*'] });
    const preflight = await fetch(endpoint, { method: 'OPTIONS', headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'POST' } });
    // yoga answers a wildcard by echoing the origin.
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
  });

  it('should send no CORS headers when CORS_ORIGINS is unset', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'k' });
    const response = await fetch(endpoint, { method: 'POST', headers: { origin: 'https://anywhere.example', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('should answer /healthz and /readyz', async () => {
    const simulator = await startSimulator();
    const { url } = await startGateway({ upstreamUrl: simulator.url });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', redis: 'off', upstreamCircuit: 'closed' });
  });

  it('should refuse a malformed credential at websocket connection init', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    let closeCode: number | undefined;
    const client = wsClient(wsEndpoint, {
      connectionParams: { authorization: 'Token abc' },
      on: { closed: (event) => (closeCode = (event as { code: number }).code) },
    });
    const outcome = await collect(client, VideoTaskUpdated, { id: 'x' }).done.then(
      () => 'completed',
      () => 'errored',
    );
    expect(outcome).toBe('errored');
    expect(closeCode).toBe(4403);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should keep schema.graphql in step with the Pothos schema', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(`${printSchema(lexicographicSortSchema(schema))}\n`);
  });
});
