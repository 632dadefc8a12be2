import { connect, type Socket } from 'node:net';
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createClientAddresses, parseTrustProxy } from '../src/server/client-address.js';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { onDispose, startGateway, startSimulator, waitFor, wsClient } from './helpers.js';

// Limits per client address and per credential, on the HTTP side (routing) and over websockets.

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A raw TCP connection to the gateway, with everything it received. */
async function rawConnection(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  onDispose(() => socket.destroy());
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received: () => text, closed };
}

/** Opens an SSE subscription and resolves with its response once the headers are in (the stream stays open). */
async function openStream(endpoint: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  onDispose(() => controller.abort());
  const response = await fetch(endpoint, {
    method: 'POST',
    signal: controller.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...auth('t1'), ...headers },
    body: JSON.stringify({ query: print(VideoTaskUpdated), variables: { id: 'stream-1' } }),
  });
  return { response, close: () => controller.abort() };
}

describe('stalled requests', () => {
  it('should answer 408 to a request whose body does not arrive within BODY_TIMEOUT_MS', async () => {
    const simulator = await startSimulator();
    const { url } = await startGateway({ upstreamUrl: simulator.url, bodyTimeoutMs: 300 });
    const { socket, received, closed } = await rawConnection(url);
    socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":');
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('per-address caps', () => {
  it('should refuse a connection beyond MAX_HTTP_CONNECTIONS_PER_ADDRESS and accept one again after a close', async () => {
    const simulator = await startSimulator();
    const { url } = await startGateway({ upstreamUrl: simulator.url, maxHttpConnectionsPerAddress: 2 });
    const first = await rawConnection(url);
    await rawConnection(url);
    const third = await rawConnection(url);
    third.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await third.closed;
    expect(third.received()).toBe('');
    first.socket.destroy();
    await first.closed;
    await waitFor(async () => (await fetch(`${url}/healthz`, { headers: { connection: 'close' } }).catch(() => undefined))?.status === 200, { message: 'a new connection to be accepted' });
  });

  it('should answer 429 RATE_LIMITED with Retry-After to an SSE stream beyond MAX_SSE_PER_ADDRESS', async () => {
    const simulator = await startSimulator({ durationMs: 60_000 });
    const { endpoint, gateway } = await startGateway({ upstreamUrl: simulator.url, maxSsePerAddress: 2 });
    const streams = [await openStream(endpoint), await openStream(endpoint)];
    for (const { response } of streams) expect(response.status).toBe(200);
    const refused = await openStream(endpoint);
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('retry-after')).toBe('1');
    expect(await refused.response.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'RATE_LIMITED', retryAfter: 1 } }] });
    streams[0]!.close();
    await waitFor(() => gateway.stats.subscribers === 1, { message: 'the closed stream to end' });
    expect((await openStream(endpoint)).response.status).toBe(200);
  });
});

describe('TRUST_PROXY', () => {
  it('should use the socket address for per-address limits when TRUST_PROXY is unset, whatever X-Forwarded-For says', async () => {
    const simulator = await startSimulator({ durationMs: 60_000 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxSsePerAddress: 1 });
    expect((await openStream(endpoint, { 'x-forwarded-for': '203.0.113.1' })).response.status).toBe(200);
    expect((await openStream(endpoint, { 'x-forwarded-for': '203.0.113.2' })).response.status).toBe(429);
  });

  it('should use the X-Forwarded-For address for per-address limits behind a trusted proxy', async () => {
    const simulator = await startSimulator({ durationMs: 60_000 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, maxSsePerAddress: 1, trustProxy: '127.0.0.1' });
    expect((await openStream(endpoint, { 'x-forwarded-for': '203.0.113.1' })).response.status).toBe(200);
    expect((await openStream(endpoint, { 'x-forwarded-for': '203.0.113.2' })).response.status).toBe(200);
    expect((await openStream(endpoint, { 'x-forwarded-for': '198.51.100.7, 203.0.113.2' })).response.status).toBe(429);
  });

  it('should read the client address through a hop count or a list of proxies and CIDR ranges', () => {
    const req = (peer: string, forwarded?: string) => ({ socket: { remoteAddress: peer }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as never;
    const none = createClientAddresses(parseTrustProxy(undefined));
    expect(none.of(req('10.0.0.5', '1.2.3.4'))).toBe('10.0.0.5');
    const oneHop = createClientAddresses(parseTrustProxy('1'));
    expect(oneHop.of(req('10.0.0.5', '9.9.9.9, 1.2.3.4'))).toBe('1.2.3.4');
    expect(oneHop.of(req('10.0.0.5'))).toBe('10.0.0.5');
    const twoHops = createClientAddresses(parseTrustProxy('2'));
    expect(twoHops.of(req('10.0.0.5', '9.9.9.9, 1.2.3.4'))).toBe('9.9.9.9');
    const listed = createClientAddresses(parseTrustProxy('10.0.0.0/8, 192.0.2.1'));
    expect(listed.of(req('::ffff:10.0.0.5', '9.9.9.9, 192.0.2.1'))).toBe('9.9.9.9');
    expect(listed.of(req('203.0.113.9', '9.9.9.9'))).toBe('203.0.113.9');
    expect(listed.isProxy('10.1.2.3')).toBe(true);
    expect(listed.isProxy('11.0.0.1')).toBe(false);
    expect(() => parseTrustProxy('not-an-address')).toThrow();
  });
});

describe('RATE_LIMIT_PER_CREDENTIAL', () => {
  const query = JSON.stringify({ query: print(VideoTaskQuery), variables: { id: 'rl-1' } });
  const post = (endpoint: string, headers: Record<string, string>) =>
    fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: query });

  // Requests go out together: the limiter's one-second windows make sequential requests on a busy
  // machine straddle a window boundary.
  it('should answer 429 RATE_LIMITED with Retry-After beyond the rate of one credential, and not count another', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, rateLimitPerCredential: 2 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => post(endpoint, auth('busy'))));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    expect(refused[0]!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(((await refused[0]!.json()) as { errors: { extensions: { code: string; retryAfter: number } }[] }).errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await post(endpoint, auth('calm'))).status).toBe(200);
  });

  it('should count GET requests, which yoga serves, like POSTs', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, rateLimitPerCredential: 1 });
    const url = `${endpoint}?query=${encodeURIComponent('{ videoTask(id: "rl-get") { id } }')}`;
    const answers = await Promise.all(Array.from({ length: 12 }, () => fetch(url, { headers: { accept: 'application/json', ...auth('getter') } })));
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThan(0);
  });

  it('should count clients riding on UPSTREAM_API_KEY by address', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'shared', rateLimitPerCredential: 1, trustProxy: '127.0.0.1' });
    const from = (address: string) => Promise.all(Array.from({ length: 8 }, () => post(endpoint, { 'x-forwarded-for': address })));
    const [one, two] = await Promise.all([from('203.0.113.1'), from('203.0.113.2')]);
    for (const answers of [one, two]) {
      expect(answers.some((a) => a.status === 200)).toBe(true);
      expect(answers.some((a) => a.status === 429)).toBe(true);
    }
  });

  it('should refuse a subscription start beyond the rate over websockets with RATE_LIMITED and retryAfter', async () => {
    const simulator = await startSimulator({ durationMs: 60_000 });
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, rateLimitPerCredential: 2 });
    const client = wsClient(wsEndpoint, { connectionParams: auth('ws-busy') });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => i + 1).map(
        (n) =>
          new Promise<unknown>((resolve) => {
            client.subscribe({ query: print(VideoTaskUpdated), variables: { id: `rl-ws-${n}` } }, { next: () => resolve('next'), error: resolve, complete: () => {} });
          }),
      ),
    );
    const refused = outcomes.filter((o) => o !== 'next') as { extensions?: Record<string, unknown> }[][];
    expect(refused.length).toBeGreaterThan(0);
    expect(outcomes.some((o) => o === 'next')).toBe(true);
    expect(refused[0]?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
  });
});
