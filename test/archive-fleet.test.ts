import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createArchiver } from '../src/archive/archiver.js';
import { createDownloader } from '../src/archive/downloader.js';
import { createLocalStorage } from '../src/archive/local-storage.js';
import { createRedisArchiveCoordinator } from '../src/fleet/archive-coordinator.js';
import { createRedis } from '../src/fleet/redis.js';
import { onDispose } from './helpers.js';
import { loopbackOnlyConnector, startVideoServer, tempDir, type VideoServer } from './archive-helpers.js';
import { startRedis } from './redis-server.js';

const video = readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url));
const key = { fingerprint: 'ab12cd34ef56ab12cd34ef56ab12cd34', taskId: 't1' };

/** An instance of the fleet's archiving: its own Redis connection and coordinator, the shared folder. */
async function instance(redisUrl: string, server: VideoServer, dir: string) {
  const redis = await createRedis({ url: redisUrl });
  onDispose(() => redis.dispose());
  await redis.ready(5000);
  const archiver = createArchiver({
    storage: createLocalStorage({ dir }),
    downloader: createDownloader({ connect: loopbackOnlyConnector(), allowedHosts: [server.hostPort] }),
    coordinator: createRedisArchiveCoordinator({ redis, instanceId: randomUUID(), pollMs: 10 }),
  });
  onDispose(() => archiver.dispose());
  return archiver;
}

describe('archiving in a fleet', () => {
  it('should download a video once for two instances and give both the same archive', async () => {
    const redis = await startRedis();
    // Slow enough that both instances ask while the first download runs.
    const server = await startVideoServer((_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video), 100));
    const dir = await tempDir();
    const [a, b] = await Promise.all([instance(redis.url, server, dir), instance(redis.url, server, dir)]);
    const url = `${server.url}/t1.mp4`;
    const settled = await Promise.all([a.settled(key, url), b.settled(key, url), a.settled(key, url), b.settled(key, url)]);
    expect(server.requests).toEqual(['/t1.mp4']);
    expect(settled.map((s) => s.status)).toEqual(['ARCHIVED', 'ARCHIVED', 'ARCHIVED', 'ARCHIVED']);
    expect(settled[1]).toEqual(settled[0]);
  });

  it('should archive on its own while Redis is down', async () => {
    const redis = await startRedis();
    const server = await startVideoServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4' }).end(video));
    const a = await instance(redis.url, server, await tempDir());
    await redis.kill();
    expect(await a.settled(key, `${server.url}/t1.mp4`)).toMatchObject({ status: 'ARCHIVED' });
  });
});
