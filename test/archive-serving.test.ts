import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createArchiver } from '../src/archive/archiver.js';
import { createDownloader } from '../src/archive/downloader.js';
import { createArchiveLinks, VIDEOS_PATH } from '../src/archive/links.js';
import { createLocalStorage } from '../src/archive/local-storage.js';
import type { ArchiveKey } from '../src/archive/storage.js';
import { createVideoRoute, parseRange } from '../src/server/videos.js';
import { onDispose } from './helpers.js';
import { loopbackOnlyConnector, startVideoServer, tempDir } from './archive-helpers.js';

const video = readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url));
const key: ArchiveKey = { fingerprint: 'ab12cd34ef56ab12cd34ef56ab12cd34', taskId: 'task.1' };
const HOUR = 3_600_000;

/** An archived fixture behind the video route on a loopback port; `clock` moves the links' time. */
async function startServing() {
  const source = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
  const archiver = createArchiver({ storage: createLocalStorage({ dir: await tempDir() }), downloader: createDownloader({ connect: loopbackOnlyConnector(), allowedHosts: [source.hostPort] }) });
  onDispose(() => archiver.dispose());
  const settled = await archiver.settled(key, `${source.url}/v.mp4`);
  if (settled.status !== 'ARCHIVED') throw new Error('The fixture was not archived');
  const clock = { now: Date.parse('2026-01-01T00:10:00Z') };
  const links = createArchiveLinks({ secret: 'test-secret', ttlMs: HOUR, now: () => clock.now });
  const route = createVideoRoute({ links, archiver, now: () => clock.now });
  const server = createServer((req, res) => void route(req, res, req.url!.split('?')[0]!));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onDispose(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, links, clock, meta: settled.meta, url: (token = links.mint(key)) => `${base}${VIDEOS_PATH}${token}` };
}

const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe('GET /videos/<token>', () => {
  it('should serve the whole video with its type, length, ETag and Accept-Ranges', async () => {
    const { url, meta } = await startServing();
    const response = await fetch(url());
    expect(response.status).toBe(200);
    expect(Object.fromEntries(['content-type', 'content-length', 'etag', 'accept-ranges'].map((h) => [h, response.headers.get(h)]))).toEqual({
      'content-type': 'video/mp4',
      'content-length': String(video.length),
      etag: `"${meta.sha256}"`,
      'accept-ranges': 'bytes',
    });
    expect((await bytes(response)).equals(video)).toBe(true);
  });

  it('should answer a single range with 206 and exactly those bytes', async () => {
    const { url } = await startServing();
    const response = await fetch(url(), { headers: { range: 'bytes=100-1123' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 100-1123/${video.length}`);
    expect(response.headers.get('content-length')).toBe('1024');
    expect((await bytes(response)).equals(video.subarray(100, 1124))).toBe(true);
  });

  it('should answer open-ended and suffix ranges with the right bytes', async () => {
    const { url } = await startServing();
    const open = await fetch(url(), { headers: { range: `bytes=${video.length - 10}-` } });
    expect([open.status, open.headers.get('content-range')]).toEqual([206, `bytes ${video.length - 10}-${video.length - 1}/${video.length}`]);
    expect((await bytes(open)).equals(video.subarray(video.length - 10))).toBe(true);
    const suffix = await fetch(url(), { headers: { range: 'bytes=-500' } });
    expect([suffix.status, suffix.headers.get('content-length')]).toEqual([206, '500']);
    expect((await bytes(suffix)).equals(video.subarray(video.length - 500))).toBe(true);
    const beyond = await fetch(url(), { headers: { range: `bytes=0-${video.length * 2}` } });
    expect([beyond.status, beyond.headers.get('content-range')]).toEqual([206, `bytes 0-${video.length - 1}/${video.length}`]);
    expect((await bytes(beyond)).equals(video)).toBe(true);
  });

  it('should answer an unsatisfiable range with 416 and the size', async () => {
    const { url } = await startServing();
    const response = await fetch(url(), { headers: { range: `bytes=${video.length}-` } });
    expect([response.status, response.headers.get('content-range')]).toEqual([416, `bytes */${video.length}`]);
    expect((await bytes(response)).length).toBe(0);
  });

  it('should serve the whole video for a multi-range or a range with a stale If-Range', async () => {
    const { url } = await startServing();
    const multi = await fetch(url(), { headers: { range: 'bytes=0-1,5-6' } });
    expect(multi.status).toBe(200);
    expect((await bytes(multi)).equals(video)).toBe(true);
    const stale = await fetch(url(), { headers: { range: 'bytes=0-1', 'if-range': '"other"' } });
    expect(stale.status).toBe(200);
    expect((await bytes(stale)).equals(video)).toBe(true);
  });

  it('should answer If-None-Match with its ETag with 304 and no body', async () => {
    const { url, meta } = await startServing();
    const response = await fetch(url(), { headers: { 'if-none-match': `"nope", "${meta.sha256}"` } });
    expect([response.status, response.headers.get('etag')]).toEqual([304, `"${meta.sha256}"`]);
    expect((await bytes(response)).length).toBe(0);
    expect((await fetch(url(), { headers: { 'if-none-match': '"nope"' } })).status).toBe(200);
  });

  it('should answer HEAD with the headers of GET and no body', async () => {
    const { url } = await startServing();
    const response = await fetch(url(), { method: 'HEAD', headers: { range: 'bytes=0-9' } });
    expect([response.status, response.headers.get('content-length'), response.headers.get('content-range')]).toEqual([206, '10', `bytes 0-9/${video.length}`]);
    expect((await bytes(response)).length).toBe(0);
  });

  it('should refuse forged, tampered and expired links with a bare 403', async () => {
    const { url, links, clock, base } = await startServing();
    const token = links.mint(key);
    const [payload, mac] = token.split('.') as [string, string];
    const other = createArchiveLinks({ secret: 'another-secret', ttlMs: HOUR, now: () => clock.now }).mint(key);
    const tampered = `${Buffer.from(Buffer.from(payload, 'base64url').toString().replace('task.1', 'task.2')).toString('base64url')}.${mac}`;
    const answers: [number, string][] = [];
    for (const forged of [other, tampered, 'garbage', `${payload}.${'A'.repeat(43)}`]) {
      const response = await fetch(url(forged));
      answers.push([response.status, await response.text()]);
    }
    clock.now += HOUR + 1;
    const expired = await fetch(`${base}${VIDEOS_PATH}${token}`);
    answers.push([expired.status, await expired.text()]);
    expect(answers).toEqual(Array(5).fill([403, 'Forbidden\n']));
  });

  it('should mint the same link within a half-TTL bucket, valid for at least half and at most the whole TTL', async () => {
    const { links, clock } = await startServing();
    const start = clock.now;
    const first = links.mint(key);
    clock.now += 1000;
    expect(links.mint(key)).toBe(first);
    const { expiresAt } = links.verify(first)!;
    expect(expiresAt - start).toBeGreaterThanOrEqual(HOUR / 2);
    expect(expiresAt - start).toBeLessThanOrEqual(HOUR);
    clock.now = expiresAt - 1;
    expect(links.verify(first)).toBeDefined();
    const next = links.mint(key);
    expect(next).not.toBe(first);
    expect(links.verify(next)!.expiresAt - clock.now).toBeGreaterThanOrEqual(HOUR / 2);
  });
});

describe('Range parsing', () => {
  it('should read single and suffix ranges and ignore what it cannot serve as one range', () => {
    expect([parseRange('bytes=0-0', 10), parseRange('bytes=-3', 10), parseRange('bytes=4-', 10), parseRange('bytes=-20', 10)]).toEqual([
      { start: 0, end: 0 },
      { start: 7, end: 9 },
      { start: 4, end: 9 },
      { start: 0, end: 9 },
    ]);
    expect([parseRange('bytes=10-', 10), parseRange('bytes=-0', 10)]).toEqual(['unsatisfiable', 'unsatisfiable']);
    expect([parseRange(undefined, 10), parseRange('bytes=5-2', 10), parseRange('items=0-1', 10), parseRange('bytes=0-1,3-4', 10), parseRange('bytes=-', 10)]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
