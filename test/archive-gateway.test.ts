import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { graphql } from './gql/index.js';
import { createGateway } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { collect, execute, onDispose, sse, startGateway, startSimulator, testConfig, waitFor, wsClient } from './helpers.js';
import { loopbackOnlyConnector, tempDir } from './archive-helpers.js';

const video = readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url));
const sha256 = createHash('sha256').update(video).digest('hex');
const auth = { authorization: 'Bearer t1' };
const params = { connectionParams: auth };

const TaskArchive = graphql(`
  query TaskArchive($id: ID!) {
    videoTask(id: $id) {
      status
      archive {
        status
        url
        sizeBytes
        contentType
        sha256
        archivedAt
        error
      }
    }
  }
`);

const ArchiveUpdated = graphql(`
  subscription ArchiveUpdated($id: ID!) {
    videoTaskUpdated(id: $id) {
      status
      ...ArchiveStatus
    }
  }
  fragment ArchiveStatus on VideoTask {
    archive {
      status
      url
    }
  }
`);

const ArchivesUpdated = graphql(`
  subscription ArchivesUpdated($ids: [ID!]!) {
    videoTasksUpdated(ids: $ids) {
      id
      status
      archive {
        status
      }
    }
  }
`);

const StatusUpdated = graphql(`
  subscription StatusUpdated($id: ID!) {
    videoTaskUpdated(id: $id) {
      status
      videoUrl
    }
  }
`);

/** The simulator's sample video downloads (the archive's), as opposed to task lookups. */
const downloads = (simulator: { requests: { path: string }[] }) => simulator.requests.filter((r) => r.path.startsWith('/samples/')).map((r) => r.path);

async function startArchiving(overrides: Partial<Config> = {}) {
  const simulator = await startSimulator({ durationMs: 50 });
  const gateway = await startGateway({
    upstreamUrl: simulator.url,
    archive: 'local',
    archiveDir: await tempDir(),
    archiveAllowedHosts: [new URL(simulator.url).host],
    fingerprintSecret: 'test-secret',
    ...overrides,
  });
  return { simulator, gateway };
}

/** Asks for the task until its archive settled. */
async function settledArchive(endpoint: string, id: string) {
  return waitFor(async () => {
    const archive = (await execute(endpoint, TaskArchive, { id }, auth)).data?.videoTask?.archive;
    return archive && archive.status !== 'PENDING' ? archive : undefined;
  });
}

describe('VideoTask.archive', () => {
  it('should be null when archiving is off', async () => {
    const simulator = await startSimulator({ durationMs: 0 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const result = await execute(endpoint, TaskArchive, { id: 'off-1' }, auth);
    expect(result.data?.videoTask).toEqual({ status: 'SUCCESS', archive: null });
    expect(downloads(simulator)).toEqual([]);
  });

  it('should archive a video a query saw finished, and serve it at an absolute link', async () => {
    const { simulator, gateway } = await startArchiving();
    await waitFor(async () => (await execute(gateway.endpoint, TaskArchive, { id: 'q-1' }, auth)).data?.videoTask?.status === 'SUCCESS');
    const archive = await settledArchive(gateway.endpoint, 'q-1');
    expect(archive).toEqual({ status: 'ARCHIVED', url: expect.stringMatching(`^${gateway.url}/videos/`), sizeBytes: video.length, contentType: 'video/mp4', sha256, archivedAt: expect.any(String), error: null });
    const served = await fetch(archive.url!);
    expect(Buffer.from(await served.arrayBuffer()).equals(video)).toBe(true);
    expect(downloads(simulator)).toEqual(['/samples/q-1.mp4']);
  });

  it('should build links on PUBLIC_URL when it is set', async () => {
    const { gateway } = await startArchiving({ publicUrl: 'https://videos.example.com' });
    await waitFor(async () => (await execute(gateway.endpoint, TaskArchive, { id: 'pub-1' }, auth)).data?.videoTask?.status === 'SUCCESS');
    expect((await settledArchive(gateway.endpoint, 'pub-1')).url).toMatch(/^https:\/\/videos\.example\.com\/videos\/[\w-]+\.[\w-]+$/);
  });

  it('should record a refused download as FAILED with its reason, and count it', async () => {
    const { simulator, gateway } = await startArchiving();
    simulator.setTask('meta-1', { status: 'SUCCESS', progress: '100%', fail_reason: 'https://169.254.169.254/latest/video.mp4', result_url: 'https://169.254.169.254/latest/video.mp4' });
    const archive = await settledArchive(gateway.endpoint, 'meta-1');
    expect(archive).toMatchObject({ status: 'FAILED', url: null, error: expect.stringContaining('private or reserved address') });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^archives_failed_total\{reason="blocked_address"\} 1$/m);
  });

  it('should count archives started and succeeded, bytes and download time', async () => {
    const { gateway } = await startArchiving();
    await waitFor(async () => (await execute(gateway.endpoint, TaskArchive, { id: 'm-1' }, auth)).data?.videoTask?.status === 'SUCCESS');
    await settledArchive(gateway.endpoint, 'm-1');
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^archives_started_total 1$/m);
    expect(metrics).toMatch(/^archives_succeeded_total 1$/m);
    expect(metrics).toMatch(new RegExp(`^archive_bytes_total ${video.length}$`, 'm'));
    expect(metrics).toMatch(/^archive_download_duration_seconds_count 1$/m);
  });

  it('should find the archive after a restart instead of downloading again', async () => {
    const archiveDir = await tempDir();
    const { simulator, gateway } = await startArchiving({ archiveDir });
    await waitFor(async () => (await execute(gateway.endpoint, TaskArchive, { id: 'r-1' }, auth)).data?.videoTask?.status === 'SUCCESS');
    const before = await settledArchive(gateway.endpoint, 'r-1');
    await gateway.dispose();
    const restarted = await startGateway({ ...gateway.config, upstreamUrl: simulator.url, port: 0 });
    const after = await settledArchive(restarted.endpoint, 'r-1');
    expect({ ...after, url: null }).toEqual({ ...before, url: null });
    expect(downloads(simulator)).toEqual(['/samples/r-1.mp4']);
    expect(Buffer.from(await (await fetch(after.url!)).arrayBuffer()).equals(video)).toBe(true);
  });

  it('should refuse a forged link through the gateway with a bare 403', async () => {
    const { gateway } = await startArchiving();
    const response = await fetch(`${gateway.url}/videos/${Buffer.from('ab12cd34.task.9999999999999').toString('base64url')}.${'A'.repeat(43)}`);
    expect([response.status, await response.text()]).toEqual([403, 'Forbidden\n']);
  });
});

describe('archiving in demo mode', () => {
  it("should archive the simulator's videos to a temporary folder without any archive setting", async () => {
    const simulator = await startSimulator({ durationMs: 50 });
    const gateway = createGateway({ config: testConfig({ upstreamUrl: simulator.url }), logger: createLogger('silent'), demo: true, archiveNetwork: { connect: loopbackOnlyConnector() } });
    const url = await gateway.start();
    onDispose(() => gateway.stop());
    await waitFor(async () => (await execute(`${url}/graphql`, TaskArchive, { id: 'demo-1' }, auth)).data?.videoTask?.status === 'SUCCESS');
    expect(await settledArchive(`${url}/graphql`, 'demo-1')).toMatchObject({ status: 'ARCHIVED', sha256 });
  });
});

describe('subscriptions and archives', () => {
  it('should send SUCCESS with a pending archive, then one event when it settled, then complete, downloading once for three subscribers', async () => {
    const { simulator, gateway } = await startArchiving();
    const subscribers = [1, 2, 3].map(() => collect(wsClient(gateway.wsEndpoint, params), ArchiveUpdated, { id: 's-1' }));
    const all = await Promise.all(subscribers.map((s) => s.done));
    for (const results of all) {
      const finals = results.filter((r) => r.data?.videoTaskUpdated.status === 'SUCCESS').map((r) => r.data?.videoTaskUpdated.archive);
      expect(finals).toEqual([
        { status: 'PENDING', url: null },
        { status: 'ARCHIVED', url: expect.stringMatching(`^${gateway.url}/videos/`) },
      ]);
    }
    expect(downloads(simulator)).toEqual(['/samples/s-1.mp4']);
  });

  it('should complete at SUCCESS as before for a subscription that did not select the archive', async () => {
    const { gateway } = await startArchiving();
    const plain = collect(wsClient(gateway.wsEndpoint, params), StatusUpdated, { id: 'p-1' });
    const results: ExecutionResult[] = await plain.done;
    expect(results.filter((r) => (r.data as { videoTaskUpdated: { status: string } }).videoTaskUpdated.status === 'SUCCESS')).toHaveLength(1);
    expect(results.at(-1)?.data).toMatchObject({ videoTaskUpdated: { status: 'SUCCESS' } });
  });

  it('should send the settled archive over SSE too before completing', async () => {
    const { gateway } = await startArchiving();
    const results = await sse(gateway.endpoint, ArchiveUpdated, { id: 'sse-1' }, auth);
    expect(results.slice(-2).map((r) => r.data?.videoTaskUpdated.archive?.status)).toEqual(['PENDING', 'ARCHIVED']);
  });

  it("should wait for each task's archive in videoTasksUpdated before completing", async () => {
    const { simulator, gateway } = await startArchiving();
    const results = await collect(wsClient(gateway.wsEndpoint, params), ArchivesUpdated, { ids: ['many-1', 'many-2'] }).done;
    for (const id of ['many-1', 'many-2']) {
      const finals = results.map((r) => r.data?.videoTasksUpdated).filter((t) => t?.id === id && t.status === 'SUCCESS');
      expect(finals.map((t) => t?.archive?.status)).toEqual(['PENDING', 'ARCHIVED']);
    }
    expect(downloads(simulator).sort()).toEqual(['/samples/many-1.mp4', '/samples/many-2.mp4']);
  });

  it('should give a late subscriber of a settled archive one final event', async () => {
    const { gateway } = await startArchiving();
    await collect(wsClient(gateway.wsEndpoint, params), ArchiveUpdated, { id: 'late-1' }).done;
    const late = await collect(wsClient(gateway.wsEndpoint, params), ArchiveUpdated, { id: 'late-1' }).done;
    expect(late.map((r) => r.data?.videoTaskUpdated.archive?.status)).toEqual(['ARCHIVED']);
  });
});

describe('HTTP caching of answers that select the archive', () => {
  const get = (endpoint: string, id: string) =>
    fetch(`${endpoint}?query=${encodeURIComponent('query ($id: ID!) { videoTask(id: $id) { status archive { status url } } }')}&variables=${encodeURIComponent(JSON.stringify({ id }))}`, {
      headers: { accept: 'application/json', ...auth },
    });

  it('should not let a browser keep an answer whose archive is PENDING, and bound the age of one with a link by the link life', async () => {
    const simulator = await startSimulator({ durationMs: 0 });
    const { endpoint } = await startGateway({
      upstreamUrl: simulator.url,
      archive: 'local',
      archiveDir: await tempDir(),
      archiveAllowedHosts: [new URL(simulator.url).host],
      fingerprintSecret: 'test-secret',
      cacheMaxAgeS: 600,
      archiveUrlTtlMs: 20_000,
    });
    const first = await get(endpoint, 'cache-archive-1');
    expect(((await first.json()) as { data: { videoTask: { archive: { status: string } } } }).data.videoTask.archive.status).toBe('PENDING');
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const settled = await waitFor(async () => {
      const answer = await get(endpoint, 'cache-archive-1');
      const body = (await answer.json()) as { data: { videoTask: { archive: { status: string } } } };
      return body.data.videoTask.archive.status === 'ARCHIVED' ? answer : undefined;
    });
    expect(settled.headers.get('cache-control')).toBe('private, max-age=10');
    expect(settled.headers.get('etag')).toBeTruthy();
  });
});
