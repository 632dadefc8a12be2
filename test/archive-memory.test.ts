import { describe, expect, it } from 'vitest';
import { createArchiver } from '../src/archive/archiver.js';
import { createDownloader } from '../src/archive/downloader.js';
import { createLocalStorage } from '../src/archive/local-storage.js';
import { onDispose } from './helpers.js';
import { loopbackOnlyConnector, startVideoServer, tempDir } from './archive-helpers.js';

const MiB = 1024 * 1024;
const chunk = Buffer.alloc(64 * 1024, 0x2a);
chunk.write('\0\0\0\x18ftypisom', 'latin1');

/** JavaScript heap and Buffer memory: what a download held in memory would show up in. */
const used = () => {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};

/** Archives a generated video of `sizeMiB` and returns the peak memory growth while doing it. */
async function peakGrowthArchiving(sizeMiB: number): Promise<number> {
  const chunks = (sizeMiB * MiB) / chunk.length;
  const server = await startVideoServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': sizeMiB * MiB });
    let sent = 0;
    const pump = () => {
      while (sent < chunks) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const archiver = createArchiver({
    storage: createLocalStorage({ dir: await tempDir() }),
    downloader: createDownloader({ connect: loopbackOnlyConnector(), allowedHosts: [server.hostPort], timeoutMs: 60_000 }),
  });
  onDispose(() => archiver.dispose());
  const baseline = used();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, used())), 5);
  const settled = await archiver.settled({ fingerprint: 'ab12cd34ef56ab12', taskId: `big-${sizeMiB}` }, `${server.url}/big.mp4`);
  clearInterval(sampler);
  expect(settled).toMatchObject({ status: 'ARCHIVED', meta: { sizeBytes: sizeMiB * MiB } });
  return peak - baseline;
}

describe('memory while archiving', () => {
  it('should archive a 64 MiB video holding a bounded amount of memory, no more than for an 8 MiB one', { timeout: 60_000 }, async () => {
    const small = await peakGrowthArchiving(8);
    const large = await peakGrowthArchiving(64);
    console.log(`peak heap+buffer growth while archiving: 8 MiB video ${(small / MiB).toFixed(1)} MiB, 64 MiB video ${(large / MiB).toFixed(1)} MiB`);
    // Held whole, the large video alone would add 64 MiB. Streamed, what grows is garbage awaiting
    // the collector (about 18 MiB here for 64 MiB and for 128 MiB alike), far below the file's size.
    expect(large).toBeLessThan(32 * MiB);
    expect(large - small).toBeLessThan(24 * MiB);
  });
});
