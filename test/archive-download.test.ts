import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDownloader, type DownloaderOptions } from '../src/archive/downloader.js';
import type { ArchiveError } from '../src/archive/errors.js';
import { onDispose } from './helpers.js';
import { loopbackOnlyConnector, startVideoServer, type VideoServer } from './archive-helpers.js';

const video = readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url));
const webm = Buffer.concat([Buffer.from('1a45dfa39f4286810142f7810142f2810442f381084282847765626d', 'hex'), Buffer.alloc(2000, 1)]);

function downloader(server: VideoServer, options: DownloaderOptions = {}) {
  const created = createDownloader({ connect: loopbackOnlyConnector(), allowedHosts: [server.hostPort], timeoutMs: 5000, ...options });
  onDispose(() => created.dispose());
  return created;
}

/** Downloads into memory (the writer is the test's; the downloader itself never buffers). */
async function fetchInto(d: ReturnType<typeof downloader>, url: string) {
  const stored: Buffer[] = [];
  let storedType = '';
  try {
    const result = await d.download(url, async (body, contentType) => {
      storedType = contentType;
      for await (const chunk of body) stored.push(chunk as Buffer);
    });
    return { result, body: Buffer.concat(stored), storedType };
  } catch (error) {
    return { error: error as ArchiveError, body: Buffer.concat(stored) };
  }
}

describe('downloader', () => {
  it('should record the size, content type and SHA-256 of the bytes it streamed', async () => {
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4; codecs="avc1"' }).end(video));
    const { result, body } = await fetchInto(downloader(server), `${server.url}/v.mp4`);
    expect(body.equals(video)).toBe(true);
    expect(result).toEqual({ sizeBytes: video.length, contentType: 'video/mp4', sha256: createHash('sha256').update(video).digest('hex') });
  });

  it('should take an octet-stream whose first bytes are an MP4 or WebM signature, as that type', async () => {
    const server = await startVideoServer((req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(req.url === '/v.webm' ? webm : video));
    const d = downloader(server);
    expect((await fetchInto(d, `${server.url}/v.mp4`)).result?.contentType).toBe('video/mp4');
    expect((await fetchInto(d, `${server.url}/v.webm`)).result?.contentType).toBe('video/webm');
  });

  it('should refuse an octet-stream that is not a video before storing any byte of it', async () => {
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('<html><body>not a video</body></html>'));
    const { error, body } = await fetchInto(downloader(server), `${server.url}/v.mp4`);
    expect([error?.reason, error?.permanent]).toEqual(['content_type', true]);
    expect(body.length).toBe(0);
  });

  it('should refuse a response whose content type is not a video', async () => {
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(video));
    const { error, body } = await fetchInto(downloader(server), `${server.url}/v.mp4`);
    expect([error?.reason, error?.permanent]).toEqual(['content_type', true]);
    expect(body.length).toBe(0);
  });

  it('should refuse a video whose declared length is over the cap without reading it', async () => {
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length }).end(video));
    const { error, body } = await fetchInto(downloader(server, { maxBytes: video.length - 1 }), `${server.url}/v.mp4`);
    expect([error?.reason, error?.permanent]).toEqual(['too_large', true]);
    expect(body.length).toBe(0);
  });

  it('should abort a video of undeclared length once it passes the cap', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    chunk.write('\0\0\0\x18ftypisom', 'latin1');
    let closed = false;
    // Chunked, endless: only the downloader's abort ends it.
    const server = await startVideoServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.on('close', () => (closed = true));
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const { error, body } = await fetchInto(downloader(server, { maxBytes: 1_000_000 }), `${server.url}/v.mp4`);
    expect([error?.reason, error?.permanent]).toEqual(['too_large', true]);
    expect(body.length).toBeLessThanOrEqual(1_000_000);
    await expect.poll(() => closed).toBe(true);
  });

  it('should call 4xx answers permanent failures and 5xx transient ones', async () => {
    const server = await startVideoServer((req, res) => res.writeHead(req.url === '/gone' ? 404 : 503).end());
    const d = downloader(server);
    const gone = (await fetchInto(d, `${server.url}/gone`)).error;
    const busy = (await fetchInto(d, `${server.url}/busy`)).error;
    expect([gone?.reason, gone?.permanent, busy?.reason, busy?.permanent]).toEqual(['http_status', true, 'http_status', false]);
  });

  it('should give up on a download that takes longer than its timeout, as a transient failure', async () => {
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).write(video.subarray(0, 100)));
    const { error } = await fetchInto(downloader(server, { timeoutMs: 200 }), `${server.url}/slow.mp4`);
    expect([error?.reason, error?.permanent]).toEqual(['timeout', false]);
  });

  it('should call a store failure a storage failure', async () => {
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
    const d = downloader(server);
    const error = await d.download(`${server.url}/v.mp4`, async () => Promise.reject(new Error('disk full'))).catch((e: ArchiveError) => e);
    expect([(error as ArchiveError).reason, (error as ArchiveError).permanent]).toEqual(['storage', false]);
  });
});
