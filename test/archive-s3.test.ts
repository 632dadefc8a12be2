import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createArchiver } from '../src/archive/archiver.js';
import { createDownloader } from '../src/archive/downloader.js';
import { createArchiveLinks, VIDEOS_PATH } from '../src/archive/links.js';
import { createS3Storage } from '../src/archive/s3-storage.js';
import { createVideoRoute } from '../src/server/videos.js';
import type { ArchiveKey } from '../src/archive/storage.js';
import { onDispose } from './helpers.js';
import { loopbackOnlyConnector, startS3, startVideoServer, type TestS3, type VideoServer } from './archive-helpers.js';

const video = readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url));
const sha256 = createHash('sha256').update(video).digest('hex');
const key = (taskId: string): ArchiveKey => ({ fingerprint: 'ab12cd34ef56ab12cd34ef56ab12cd34', taskId });

async function archiver(server: VideoServer, s3: TestS3, maxBytes?: number) {
  const storage = createS3Storage({ bucket: s3.bucket, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3.credentials });
  const created = createArchiver({
    storage,
    downloader: createDownloader({ connect: loopbackOnlyConnector(), allowedHosts: [server.hostPort], timeoutMs: 5000, maxBytes }),
    retryDelayMs: 1,
  });
  onDispose(() => created.dispose());
  return created;
}

async function objectKeys(s3: TestS3): Promise<string[]> {
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3.credentials });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  client.destroy();
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

describe('archiver with S3 storage', () => {
  it('should stream the video into the bucket with its metadata as object metadata', async () => {
    const s3 = await startS3();
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
    const a = await archiver(server, s3);
    const settled = await a.settled(key('t1'), `${server.url}/t1.mp4`);
    expect(settled).toEqual({ status: 'ARCHIVED', meta: { sizeBytes: video.length, contentType: 'video/mp4', sha256, archivedAt: expect.any(String) } });
    expect(await objectKeys(s3)).toEqual([`videos/${key('t1').fingerprint}/t1`]);
    expect(Buffer.concat(await (await a.storage.read(key('t1'))).toArray()).equals(video)).toBe(true);
    expect(Buffer.concat(await (await a.storage.read(key('t1'), { start: 100, end: 199 })).toArray()).equals(video.subarray(100, 200))).toBe(true);
  });

  it('should find the archive after a restart from the object metadata, without downloading again', async () => {
    const s3 = await startS3();
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
    const first = await (await archiver(server, s3)).settled(key('t1'), `${server.url}/t1.mp4`);
    const restarted = await archiver(server, s3);
    expect(await restarted.settled(key('t1'), `${server.url}/t1.mp4`)).toEqual(first);
    expect(server.requests).toEqual(['/t1.mp4']);
  });

  it('should leave no object behind when a video is aborted over the size cap', async () => {
    const s3 = await startS3();
    const big = Buffer.concat([video, video, video]);
    // Chunked: the cap is met while streaming, after the upload began.
    const server = await startVideoServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.write(big.subarray(0, 20_000));
      setTimeout(() => res.end(big.subarray(20_000)), 20);
    });
    const a = await archiver(server, s3, video.length);
    expect(await a.settled(key('t1'), `${server.url}/t1.mp4`)).toMatchObject({ status: 'FAILED', reason: 'too_large' });
    expect(await objectKeys(s3)).toEqual([]);
  });

  it('should presign a URL that serves the archived bytes', async () => {
    const s3 = await startS3();
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
    const a = await archiver(server, s3);
    await a.settled(key('t1'), `${server.url}/t1.mp4`);
    const response = await fetch(await a.storage.presign!(key('t1'), 60));
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(video)).toBe(true);
  });

  it('should redirect a served link to a presigned URL when told to', async () => {
    const s3 = await startS3();
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
    const a = await archiver(server, s3);
    await a.settled(key('t1'), `${server.url}/t1.mp4`);
    const links = createArchiveLinks({ secret: 'test-secret' });
    const route = createVideoRoute({ links, archiver: a, redirect: true });
    const http = createServer((req, res) => void route(req, res, req.url!));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onDispose(() => new Promise((resolve) => http.close(resolve)));
    const link = `http://127.0.0.1:${(http.address() as AddressInfo).port}${VIDEOS_PATH}${links.mint(key('t1'))}`;
    const redirected = await fetch(link, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/videos/`));
    const followed = await fetch(link);
    expect(Buffer.from(await followed.arrayBuffer()).equals(video)).toBe(true);
  });
});
