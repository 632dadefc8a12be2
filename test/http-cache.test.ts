import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { VideoTaskQuery } from './documents.js';
import { startGateway, startSimulator } from './helpers.js';

const query = print(VideoTaskQuery);

/** A GET of the VideoTask query, as a browser's fetch would send it. */
function get(endpoint: string, id: string, headers: Record<string, string> = {}): Promise<Response> {
  const url = new URL(endpoint);
  url.searchParams.set('query', query);
  url.searchParams.set('variables', JSON.stringify({ id }));
  return fetch(url, { headers: { accept: 'application/graphql-response+json', ...headers } });
}

async function setup(overrides: { cacheMaxAgeS?: number; corsOrigins?: string[] } = {}) {
  const simulator = await startSimulator({ durationMs: 60_000 });
  simulator.setTask('done-1', { status: 'success', progress: '100%', result_url: 'https://cdn.example/done-1.mp4' });
  simulator.setTask('failed-1', { status: 'failure', progress: '100%', fail_reason: 'content filter' });
  const gw = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'key-a', ...overrides });
  return { simulator, gw };
}

describe('HTTP caching of GET answers', () => {
  it('should let the browser keep an answer about a finished task privately, for CACHE_MAX_AGE_S, with an ETag', async () => {
    const { gw } = await setup({ cacheMaxAgeS: 120 });
    const response = await get(gw.endpoint, 'done-1');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, max-age=120');
    expect(response.headers.get('vary')).toBe('Authorization, Accept');
    expect(response.headers.get('etag')).toMatch(/^"[\w-]{32}"$/);
    expect(((await response.json()) as { data: { videoTask: { status: string } } }).data.videoTask.status).toBe('SUCCESS');
  });

  it('should cache a failed task (final) like a successful one', async () => {
    const { gw } = await setup();
    const response = await get(gw.endpoint, 'failed-1');
    expect(response.headers.get('cache-control')).toBe('private, max-age=60');
    expect(response.headers.get('etag')).not.toBeNull();
  });

  it('should answer 304 without a body when If-None-Match carries the ETag', async () => {
    const { gw } = await setup();
    const first = await get(gw.endpoint, 'done-1');
    const etag = first.headers.get('etag')!;
    const again = await get(gw.endpoint, 'done-1', { 'if-none-match': `W/"other", ${etag}` });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('private, max-age=60');
    const stale = await get(gw.endpoint, 'done-1', { 'if-none-match': '"something-else"' });
    expect(stale.status).toBe(200);
  });

  it('should give the same answer a different ETag for another credential', async () => {
    const { gw } = await setup();
    const a = await get(gw.endpoint, 'done-1', { authorization: 'Bearer key-a' });
    const b = await get(gw.endpoint, 'done-1', { authorization: 'Bearer key-b' });
    expect(await a.text()).toBe(await b.text());
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'));
    // Another credential's ETag never turns into a 304.
    const crossed = await get(gw.endpoint, 'done-1', { authorization: 'Bearer key-b', 'if-none-match': a.headers.get('etag')! });
    expect(crossed.status).toBe(200);
  });

  it('should give different content a different ETag', async () => {
    const { simulator, gw } = await setup();
    simulator.setTask('done-2', { status: 'success', progress: '100%', result_url: 'https://cdn.example/done-2.mp4' });
    const a = await get(gw.endpoint, 'done-1');
    const b = await get(gw.endpoint, 'done-2');
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'));
  });

  it('should make an answer about an unfinished task revalidate every time, without an ETag', async () => {
    const { gw } = await setup();
    const response = await get(gw.endpoint, 'running-1');
    expect(((await response.json()) as { data: { videoTask: { status: string } } }).data.videoTask.status).not.toBe('SUCCESS');
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect(response.headers.get('vary')).toBe('Authorization, Accept');
    expect(response.headers.get('etag')).toBeNull();
  });

  it('should not cache an answer mixing a finished and an unfinished task, nor one about an unknown task', async () => {
    const { simulator, gw } = await setup();
    simulator.addUnknown('unknown-1');
    const url = new URL(gw.endpoint);
    url.searchParams.set('query', '{ done: videoTask(id: "done-1") { status } running: videoTask(id: "running-2") { status } }');
    const mixed = await fetch(url, { headers: { accept: 'application/json' } });
    expect(mixed.headers.get('cache-control')).toBe('private, no-cache');
    const unknown = await get(gw.endpoint, 'unknown-1');
    expect(((await unknown.json()) as { data: { videoTask: null } }).data.videoTask).toBeNull();
    expect(unknown.headers.get('cache-control')).toBe('private, no-cache');
  });

  it('should make errors revalidate every time', async () => {
    const { gw } = await setup();
    const invalid = await get(gw.endpoint, 'bad id!');
    expect(invalid.headers.get('cache-control')).toBe('private, no-cache');
    expect(invalid.headers.get('etag')).toBeNull();
    const url = new URL(gw.endpoint);
    url.searchParams.set('query', '{ nope }');
    const unparsable = await fetch(url, { headers: { accept: 'application/json' } });
    expect(unparsable.status).toBe(200);
    expect(unparsable.headers.get('cache-control')).toBe('private, no-cache');
  });

  it('should keep an answer no longer than the signed video link in it lives', async () => {
    const { simulator, gw } = await setup({ cacheMaxAgeS: 3600 });
    const signedAt = new Date(Date.now() - 60_000).toISOString().replace(/[-:]|\.\d{3}/g, '');
    simulator.setTask('signed-1', { status: 'success', progress: '100%', result_url: `https://tos.example/v.mp4?X-Tos-Date=${signedAt}&X-Tos-Expires=660&X-Tos-Signature=x` });
    const response = await get(gw.endpoint, 'signed-1');
    const maxAge = Number(/max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(500);
    expect(maxAge).toBeLessThanOrEqual(600);
    simulator.setTask('expired-1', { status: 'success', progress: '100%', result_url: `https://cdn.example/v.mp4?Expires=${Math.floor(Date.now() / 1000) - 10}` });
    expect((await get(gw.endpoint, 'expired-1')).headers.get('cache-control')).toBe('private, no-cache');
  });

  it('should cache nothing when CACHE_MAX_AGE_S is 0', async () => {
    const { gw } = await setup({ cacheMaxAgeS: 0 });
    const response = await get(gw.endpoint, 'done-1');
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect(response.headers.get('etag')).toBeNull();
  });

  it('should vary by Origin too when CORS is on', async () => {
    const { gw } = await setup({ corsOrigins: ['https://app.example'] });
    const response = await get(gw.endpoint, 'done-1', { origin: 'https://app.example' });
    expect(response.headers.get('vary')?.split(', ').sort()).toEqual(['Accept', 'Authorization', 'Origin']);
    expect(response.headers.get('cache-control')).toBe('private, max-age=60');
  });

  it('should leave POST answers without caching headers', async () => {
    const { gw } = await setup();
    const response = await fetch(gw.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { id: 'done-1' } }) });
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('cache-control')).toBeNull();
  });
});

describe('CORS', () => {
  it('should let browsers keep a preflight for CORS_MAX_AGE and expose x-request-id', async () => {
    const { gw } = await setup({ corsOrigins: ['https://app.example'] });
    const preflight = await fetch(gw.endpoint, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    const response = await get(gw.endpoint, 'done-1', { origin: 'https://app.example', 'x-request-id': 'req-42' });
    expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
    expect(response.headers.get('x-request-id')).toBe('req-42');
  });

  it('should send CORS_MAX_AGE as configured', async () => {
    const simulator = await startSimulator();
    const gw = await startGateway({ upstreamUrl: simulator.url, corsOrigins: ['*'], corsMaxAge: 30 });
    const preflight = await fetch(gw.endpoint, { method: 'OPTIONS', headers: { origin: 'https://any.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-max-age')).toBe('30');
    expect(preflight.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
  });
});
