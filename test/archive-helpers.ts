import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onDispose } from './helpers.js';

export { loopbackOnlyConnector } from './loopback-connector.js';

export interface VideoServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, for ARCHIVE_ALLOWED_HOSTS. */
  hostPort: string;
  port: number;
  /** Paths requested, in order. */
  requests: string[];
  dispose(): Promise<void>;
}

/** A plain HTTP server on a free loopback port, answering with `handle`. */
export async function startVideoServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<VideoServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dispose = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  onDispose(dispose);
  return { url: `http://127.0.0.1:${port}`, hostPort: `127.0.0.1:${port}`, port, requests, dispose };
}

/** A fresh temporary folder, removed after the file's tests. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'archive-test-'));
  onDispose(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestS3 {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** s3rver, a real S3 HTTP API, on a free loopback port with an empty bucket; stopped after the file's tests. */
export async function startS3(): Promise<TestS3> {
  const { default: S3rver } = await import('s3rver');
  const bucket = 'archive-test';
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: await tempDir(), configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  onDispose(() => server.close());
  // s3rver accepts these fixed credentials.
  return { endpoint: `http://127.0.0.1:${port}`, bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
}
