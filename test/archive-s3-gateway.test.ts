import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graphql } from './gql/index.js';
import { execute, startGateway, startSimulator, waitFor } from './helpers.js';
import { startS3 } from './archive-helpers.js';

const video = readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url));
const auth = { authorization: 'Bearer t1' };

const S3TaskArchive = graphql(`
  query S3TaskArchive($id: ID!) {
    videoTask(id: $id) {
      status
      archive {
        status
        url
        sha256
      }
    }
  }
`);

describe('ARCHIVE=s3 through the gateway', () => {
  it('should archive into the bucket, serve ranges from it, and redirect to a presigned URL when told to', async () => {
    const s3 = await startS3();
    // The standard AWS environment, as a deployment sets it.
    process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
    const simulator = await startSimulator({ durationMs: 50 });
    const settings = {
      upstreamUrl: simulator.url,
      archive: 's3' as const,
      archiveS3Bucket: s3.bucket,
      archiveS3Endpoint: s3.endpoint,
      archiveS3Region: 'us-east-1',
      archiveS3ForcePathStyle: true,
      archiveAllowedHosts: [new URL(simulator.url).host],
      fingerprintSecret: 'test-secret',
    };
    const gateway = await startGateway(settings);
    const archive = await waitFor(async () => {
      const found = (await execute(gateway.endpoint, S3TaskArchive, { id: 's3-1' }, auth)).data?.videoTask?.archive;
      return found?.status === 'ARCHIVED' ? found : undefined;
    });
    expect(archive.sha256).toBe(createHash('sha256').update(video).digest('hex'));
    const range = await fetch(archive.url!, { headers: { range: 'bytes=0-99' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(video.subarray(0, 100))).toBe(true);

    const redirecting = await startGateway({ ...settings, archiveS3Redirect: true });
    const link = await waitFor(async () => (await execute(redirecting.endpoint, S3TaskArchive, { id: 's3-1' }, auth)).data?.videoTask?.archive?.url);
    const redirected = await fetch(link, { redirect: 'manual' });
    expect([redirected.status, redirected.headers.get('location')?.startsWith(`${s3.endpoint}/${s3.bucket}/videos/`)]).toEqual([302, true]);
    expect(simulator.requests.filter((r) => r.path.startsWith('/samples/'))).toHaveLength(1);
  });
});
