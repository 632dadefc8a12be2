import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Archiver } from '../archive/archiver.js';
import { VIDEOS_PATH, type ArchiveLinks } from '../archive/links.js';
import type { ByteRange } from '../archive/storage.js';

export interface VideoRouteOptions {
  links: ArchiveLinks;
  archiver: Pick<Archiver, 'find' | 'storage'>;
  /** ARCHIVE_S3_REDIRECT: answer with a redirect to a presigned URL instead of the bytes. @default false */
  redirect?: boolean | undefined;
  /** Told of a failure while streaming an archive. @default ignores it */
  onError?: ((error: unknown) => void) | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
}

/**
 * `GET|HEAD /videos/<signed token>`: an archived video, with what a `<video>` element needs to
 * seek (single byte ranges, suffix ranges) and what caches need (ETag, If-None-Match, max-age up
 * to the link's expiry). Forged and expired links get a bare 403 that says nothing more.
 */
export function createVideoRoute({ links, archiver, redirect = false, onError = () => {}, now = Date.now }: VideoRouteOptions) {
  return async function serveVideo(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return void res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 }).end();
    }
    const link = links.verify(path.slice(VIDEOS_PATH.length));
    if (!link) return void res.writeHead(403, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('Forbidden\n');
    const meta = await archiver.find(link.key);
    if (!meta) return void res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('Not found\n');
    const maxAge = Math.max(0, Math.floor((link.expiresAt - now()) / 1000));

    if (redirect && archiver.storage.presign) {
      const location = await archiver.storage.presign(link.key, Math.max(1, maxAge));
      return void res.writeHead(302, { location, 'cache-control': `private, max-age=${maxAge}`, 'content-length': 0 }).end();
    }

    const etag = `"${meta.sha256}"`;
    const headers: Record<string, string | number> = {
      etag,
      'accept-ranges': 'bytes',
      'cache-control': `private, max-age=${maxAge}`,
      'last-modified': new Date(meta.archivedAt).toUTCString(),
      'x-content-type-options': 'nosniff',
    };
    if (matchesEtag(req.headers['if-none-match'], etag)) return void res.writeHead(304, headers).end();

    const ifRange = req.headers['if-range'];
    const range = ifRange === undefined || ifRange === etag ? parseRange(req.headers.range, meta.sizeBytes) : undefined;
    if (range === 'unsatisfiable') {
      return void res.writeHead(416, { ...headers, 'content-range': `bytes */${meta.sizeBytes}`, 'content-length': 0 }).end();
    }
    headers['content-type'] = meta.contentType;
    if (range) {
      headers['content-range'] = `bytes ${range.start}-${range.end}/${meta.sizeBytes}`;
      headers['content-length'] = range.end - range.start + 1;
    } else headers['content-length'] = meta.sizeBytes;
    if (req.method === 'HEAD' || meta.sizeBytes === 0) return void res.writeHead(range ? 206 : 200, headers).end();

    let body;
    try {
      body = await archiver.storage.read(link.key, range);
    } catch (error) {
      // Gone between the lookup and the read (a retention sweep), or the store failing.
      onError(error);
      return void res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end('Not found\n');
    }
    res.writeHead(range ? 206 : 200, headers);
    // A client that leaves mid-video (a <video> seeking does) ends the pipeline: no error to report.
    await pipeline(body, res).catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') onError(error);
    });
  };
}

/** Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for it). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * A single byte range of a `Range` header: `bytes=a-b`, `bytes=a-`, `bytes=-n` (the last n).
 * Undefined (serve the whole video) when absent, malformed or a multi-range request; serving the
 * whole representation is always allowed.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
