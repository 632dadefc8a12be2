import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createArchiver, type ArchiverOptions } from '../src/archive/archiver.js';
import { createDownloader } from '../src/archive/downloader.js';
import { createLocalStorage } from '../src/archive/local-storage.js';
import { createRetention } from '../src/archive/retention.js';
import type { ArchiveKey } from '../src/archive/storage.js';
import { onDispose } from './helpers.js';
import { loopbackOnlyConnector, startVideoServer, tempDir, type VideoServer } from './archive-helpers.js';

const video = readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url));
const sha256 = createHash('sha256').update(video).digest('hex');
const key = (taskId: string): ArchiveKey => ({ fingerprint: 'ab12cd34ef56ab12cd34ef56ab12cd34', taskId });

function archiver(server: VideoServer, dir: string, options: Partial<ArchiverOptions> = {}) {
  const created = createArchiver({
    storage: createLocalStorage({ dir }),
    downloader: createDownloader({ connect: loopbackOnlyConnector(), allowedHosts: [server.hostPort], timeoutMs: 5000 }),
    retryDelayMs: 1,
    ...options,
  });
  onDispose(() => created.dispose());
  return created;
}

/** Every file under `dir`, folders left out. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

const serveVideo = () => startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));

describe('archiver with local storage', () => {
  it('should download once for concurrent requests and report PENDING until it settles', async () => {
    const server = await serveVideo();
    const dir = await tempDir();
    const a = archiver(server, dir);
    expect(a.request(key('t1'), `${server.url}/t1.mp4`)).toEqual({ status: 'PENDING' });
    const settled = await Promise.all([1, 2, 3].map(() => a.settled(key('t1'), `${server.url}/t1.mp4`)));
    expect(server.requests).toEqual(['/t1.mp4']);
    expect(settled[0]).toEqual({ status: 'ARCHIVED', meta: { sizeBytes: video.length, contentType: 'video/mp4', sha256, archivedAt: expect.any(String) } });
    expect(settled[1]).toBe(settled[0]);
    expect(a.request(key('t1'), `${server.url}/t1.mp4`)).toBe(settled[0]);
    const stored = Buffer.concat(await (await a.storage.read(key('t1'))).toArray());
    expect(stored.equals(video)).toBe(true);
  });

  it('should keep its archives in files with sidecar metadata and no temporary files left', async () => {
    const server = await serveVideo();
    const dir = await tempDir();
    await archiver(server, dir).settled(key('t1'), `${server.url}/t1.mp4`);
    const files = await readdir(join(dir, key('t1').fingerprint));
    expect(files.sort()).toEqual(['t1.meta.json', 't1.video']);
    expect(JSON.parse(await readFile(join(dir, key('t1').fingerprint, 't1.meta.json'), 'utf8'))).toMatchObject({ sizeBytes: video.length, sha256 });
  });

  it('should keep apart a task whose id ends in .meta.json and the task whose sidecar that name would be', async () => {
    const server = await serveVideo();
    const dir = await tempDir();
    const a = archiver(server, dir);
    await a.settled(key('x'), `${server.url}/x.mp4`);
    await a.settled(key('x.meta.json'), `${server.url}/y.mp4`);
    expect(await a.storage.find(key('x'))).toMatchObject({ sizeBytes: video.length, sha256 });
    expect(await a.storage.find(key('x.meta.json'))).toMatchObject({ sizeBytes: video.length, sha256 });
  });

  it('should find an existing archive after a restart instead of downloading again', async () => {
    const server = await serveVideo();
    const dir = await tempDir();
    const first = await archiver(server, dir).settled(key('t1'), `${server.url}/t1.mp4`);
    const restarted = archiver(server, dir);
    expect(await restarted.settled(key('t1'), `${server.url}/t1.mp4`)).toEqual(first);
    expect(server.requests).toEqual(['/t1.mp4']);
  });

  it('should retry transient failures with backoff and then archive', async () => {
    let calls = 0;
    const server = await startVideoServer((_req, res) => (++calls <= 2 ? res.writeHead(503).end() : res.writeHead(200, { 'content-type': 'video/mp4' }).end(video)));
    const a = archiver(server, await tempDir());
    expect((await a.settled(key('t1'), `${server.url}/t1.mp4`)).status).toBe('ARCHIVED');
    expect(calls).toBe(3);
  });

  it('should record a permanent failure once, without retrying it or leaving files', async () => {
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    const dir = await tempDir();
    const failed: string[] = [];
    const a = archiver(server, dir, { observer: { failed: (reason) => failed.push(reason) } });
    const settled = await a.settled(key('t1'), `${server.url}/t1.mp4`);
    expect(settled).toEqual({ status: 'FAILED', reason: 'content_type', error: expect.stringContaining('text/html') });
    expect(a.request(key('t1'), `${server.url}/t1.mp4`)).toEqual(settled);
    expect(server.requests).toEqual(['/t1.mp4']);
    expect(failed).toEqual(['content_type']);
    expect(await filesIn(dir)).toEqual([]);
  });

  it('should abort a video over the size cap and leave no temporary file', async () => {
    // Chunked, so the cap is met while the body is being written.
    const server = await startVideoServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(video);
      setTimeout(() => res.end(video), 20);
    });
    const dir = await tempDir();
    const a = createArchiver({
      storage: createLocalStorage({ dir }),
      downloader: createDownloader({ connect: loopbackOnlyConnector(), allowedHosts: [server.hostPort], maxBytes: video.length + 10 }),
    });
    onDispose(() => a.dispose());
    expect(await a.settled(key('t1'), `${server.url}/t1.mp4`)).toMatchObject({ status: 'FAILED', reason: 'too_large' });
    expect(await filesIn(dir)).toEqual([]);
  });

  it('should give up after its retries and record the failure', async () => {
    const server = await startVideoServer((_req, res) => res.writeHead(502).end());
    const a = archiver(server, await tempDir(), { retries: 2 });
    expect(await a.settled(key('t1'), `${server.url}/t1.mp4`)).toMatchObject({ status: 'FAILED', reason: 'http_status' });
    expect(server.requests).toHaveLength(3);
  });

  it('should run at most ARCHIVE_CONCURRENCY downloads at once', async () => {
    let open = 0;
    let most = 0;
    const server = await startVideoServer((_req, res) => {
      most = Math.max(most, ++open);
      setTimeout(() => {
        open--;
        res.writeHead(200, { 'content-type': 'video/mp4' }).end(video);
      }, 30);
    });
    const a = archiver(server, await tempDir(), { concurrency: 2 });
    const all = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => a.settled(key(id), `${server.url}/${id}.mp4`)));
    expect(all.map((s) => s.status)).toEqual(['ARCHIVED', 'ARCHIVED', 'ARCHIVED', 'ARCHIVED', 'ARCHIVED']);
    expect(most).toBe(2);
  });

  it('should count started, archived bytes and download time', async () => {
    const server = await serveVideo();
    const seen: unknown[] = [];
    const a = archiver(server, await tempDir(), { observer: { started: () => seen.push('started'), archived: (bytes, seconds) => seen.push(bytes, typeof seconds) } });
    await a.settled(key('t1'), `${server.url}/t1.mp4`);
    expect(seen).toEqual(['started', video.length, 'number']);
  });
});

describe('retention', () => {
  it('should delete archives older than the retention period and keep newer ones', async () => {
    const server = await serveVideo();
    const dir = await tempDir();
    const day = 86_400_000;
    const old = archiver(server, dir, { now: () => Date.now() - 10 * day });
    await old.settled(key('old'), `${server.url}/old.mp4`);
    const fresh = archiver(server, dir);
    await fresh.settled(key('new'), `${server.url}/new.mp4`);

    const forgotten: ArchiveKey[] = [];
    const storage = createLocalStorage({ dir });
    const retention = createRetention({ storage, days: 7, intervalMs: 3_600_000, onRemoved: (k) => forgotten.push(k) });
    onDispose(() => retention.dispose());
    await expect.poll(() => forgotten).toEqual([key('old')]);
    expect(await storage.find(key('old'))).toBeUndefined();
    expect(await storage.find(key('new'))).toMatchObject({ sha256 });
    expect((await readdir(join(dir, key('old').fingerprint))).sort()).toEqual(['new.meta.json', 'new.video']);
  });
});
