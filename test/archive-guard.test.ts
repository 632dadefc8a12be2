import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isBlockedAddress, parseAllowedHosts } from '../src/archive/address.js';
import type { ResolveHost } from '../src/archive/connector.js';
import { createDownloader, type DownloaderOptions } from '../src/archive/downloader.js';
import type { ArchiveError } from '../src/archive/errors.js';
import { onDispose } from './helpers.js';
import { loopbackOnlyConnector, startVideoServer } from './archive-helpers.js';

const video = readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url));

/** A resolver that answers from a table and never asks DNS. */
function resolver(table: Record<string, string[]>): ResolveHost {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw new Error(`No test address for ${hostname}`);
    return addresses.map((address) => ({ address }));
  };
}

function downloader(options: DownloaderOptions = {}) {
  const connect = loopbackOnlyConnector();
  const created = createDownloader({ connect, timeoutMs: 5000, ...options });
  onDispose(() => created.dispose());
  return Object.assign(created, { attempts: connect.attempts });
}

/** Downloads into nothing; resolves with the ArchiveError thrown, or fails the test. */
async function refusal(d: ReturnType<typeof downloader>, url: string): Promise<ArchiveError> {
  try {
    await d.download(url, async (body) => void (await body.toArray()));
  } catch (error) {
    return error as ArchiveError;
  }
  throw new Error(`The download of ${url} was not refused`);
}

async function serveVideo() {
  return startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length }).end(video));
}

describe('address rules', () => {
  it('should block private, loopback, link-local, metadata and reserved addresses', () => {
    const blocked = ['127.0.0.1', '127.0.0.2', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '::127.0.0.1', '::a9fe:a9fe', '2002:a9fe:a9fe::1', '2002:7f00:1::', '2001:0:4136:e378:8000:63bf:3fff:fdd2', 'not-an-address'];
    expect(blocked.filter((address) => !isBlockedAddress(address))).toEqual([]);
  });

  it('should let public addresses through', () => {
    const open = ['8.8.8.8', '93.184.216.34', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'];
    expect(open.filter((address) => isBlockedAddress(address))).toEqual([]);
  });

  it('should match allow-list entries by host or by host and port', () => {
    const allowed = parseAllowedHosts(['Videos.Example', '127.0.0.1:8080', '[::1]:9000', 'cdn.example:443']);
    expect([allowed.has('videos.example', 1), allowed.has('127.0.0.1', 8080), allowed.has('[::1]', 9000), allowed.has('::1', 9000), allowed.has('cdn.example', 443)]).toEqual([true, true, true, true, true]);
    expect([allowed.has('127.0.0.1', 8081), allowed.has('::1', 9001), allowed.has('cdn.example', 8443), allowed.has('other.example', 443)]).toEqual([false, false, false, false]);
  });
});

describe('download guard', () => {
  it('should download from an allow-listed loopback host over plain http', async () => {
    const server = await serveVideo();
    const d = downloader({ allowedHosts: [server.hostPort] });
    const chunks: Buffer[] = [];
    const result = await d.download(`${server.url}/v.mp4`, async (body) => void chunks.push(...(await body.toArray())));
    expect(Buffer.concat(chunks).equals(video)).toBe(true);
    expect(result.sizeBytes).toBe(video.length);
  });

  it('should refuse plain http to a host that is not allow-listed, without connecting', async () => {
    const server = await serveVideo();
    const d = downloader({ allowedHosts: [`127.0.0.1:${server.port + 1}`] });
    expect((await refusal(d, `${server.url}/v.mp4`)).reason).toBe('insecure_url');
    expect(d.attempts).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('should refuse 127.0.0.2 when only 127.0.0.1 is allow-listed', async () => {
    const server = await serveVideo();
    const d = downloader({ allowedHosts: [server.hostPort] });
    const error = await refusal(d, `https://127.0.0.2:${server.port}/v.mp4`);
    expect([error.reason, error.permanent]).toEqual(['blocked_address', true]);
    expect(d.attempts).toEqual([]);
  });

  it('should refuse localhost, a name the system resolver maps to loopback, when it is not allow-listed', async () => {
    const server = await serveVideo();
    const d = downloader({ allowedHosts: [server.hostPort] });
    expect((await refusal(d, `https://localhost:${server.port}/v.mp4`)).reason).toBe('blocked_address');
    expect(d.attempts).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('should refuse a DNS name that resolves to loopback', async () => {
    const d = downloader({ resolve: resolver({ 'videos.example': ['127.0.0.1'] }) });
    expect((await refusal(d, 'https://videos.example/v.mp4')).reason).toBe('blocked_address');
    expect(d.attempts).toEqual([]);
  });

  it('should refuse names resolving to the metadata address or a private range without connecting', async () => {
    const d = downloader({ resolve: resolver({ 'metadata.example': ['169.254.169.254'], 'internal.example': ['10.0.0.1'], 'mixed.example': ['93.184.216.34', '192.168.0.10'] }) });
    for (const host of ['metadata.example', 'internal.example', 'mixed.example']) {
      expect((await refusal(d, `https://${host}/v.mp4`)).reason).toBe('blocked_address');
    }
    expect(d.attempts).toEqual([]);
  });

  it('should refuse a redirect to a private address', async () => {
    const server = await startVideoServer((req, res) => {
      const to = { '/to-internal': 'https://internal.example/v.mp4', '/to-loopback': `https://127.0.0.2:1/v.mp4`, '/to-http': 'http://public.example/v.mp4' }[req.url ?? ''];
      res.writeHead(302, { location: to ?? '/' }).end();
    });
    const d = downloader({ allowedHosts: [server.hostPort], resolve: resolver({ 'internal.example': ['10.0.0.1'], 'public.example': ['93.184.216.34'] }) });
    expect((await refusal(d, `${server.url}/to-internal`)).reason).toBe('blocked_address');
    expect((await refusal(d, `${server.url}/to-loopback`)).reason).toBe('blocked_address');
    expect((await refusal(d, `${server.url}/to-http`)).reason).toBe('insecure_url');
    // Only the allow-listed server itself was ever connected to.
    expect(new Set(d.attempts)).toEqual(new Set(['127.0.0.1']));
  });

  it('should follow three redirects and refuse a fourth', async () => {
    const server = await startVideoServer((req, res) => {
      const hops = Number(/^\/hop\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
      if (hops > 0) return void res.writeHead(307, { location: `/hop/${hops - 1}` }).end();
      res.writeHead(200, { 'content-type': 'video/mp4' }).end(video);
    });
    const d = downloader({ allowedHosts: [server.hostPort] });
    const result = await d.download(`${server.url}/hop/3`, async (body) => void (await body.toArray()));
    expect(result.sizeBytes).toBe(video.length);
    expect((await refusal(d, `${server.url}/hop/4`)).reason).toBe('too_many_redirects');
  });

  it('should keep tests on loopback even for an address the guard lets through', async () => {
    const d = downloader({ resolve: resolver({ 'public.example': ['93.184.216.34'] }) });
    const error = await refusal(d, 'https://public.example/v.mp4');
    expect([error.reason, error.permanent]).toEqual(['network', false]);
    expect(d.attempts).toEqual(['93.184.216.34']);
  });
});
