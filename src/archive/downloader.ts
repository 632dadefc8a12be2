import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { parseAllowedHosts, portOf } from './address.js';
import { createGuardedConnector, type Connector, type ResolveHost } from './connector.js';
import { ArchiveError, findArchiveError } from './errors.js';
import { mediaType, SIGNATURE_BYTES, sniffVideoType } from './video-signature.js';

export interface DownloaderOptions {
  /** ARCHIVE_ALLOWED_HOSTS: `host` or `host:port` entries exempt from the https and address rules. @default [] */
  allowedHosts?: readonly string[] | undefined;
  /** ARCHIVE_MAX_BYTES: larger videos are aborted. @default 536870912 (512 MiB) */
  maxBytes?: number | undefined;
  /** ARCHIVE_TIMEOUT_MS: bound on one whole download, redirects and body included. @default 300000 */
  timeoutMs?: number | undefined;
  /** Redirects followed at most, each checked again. @default 3 */
  maxRedirects?: number | undefined;
  /** Resolves host names; tests map names to chosen addresses. @default the system resolver */
  resolve?: ResolveHost | undefined;
  /** Opens sockets to addresses that passed the guard; tests refuse anything off loopback. @default undici's connector */
  connect?: Connector | undefined;
}

/** What a finished download recorded. */
export interface DownloadedVideo {
  sizeBytes: number;
  contentType: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

/** Receives the body as it arrives; resolves when it has stored all of it. */
export type VideoWriter = (body: Readable, contentType: string) => Promise<void>;

export interface Downloader {
  /**
   * Streams the video at `url` into `write`, never holding it whole in memory.
   * Throws an {@link ArchiveError}; `permanent` ones are not worth retrying.
   */
  download(url: string, write: VideoWriter): Promise<DownloadedVideo>;
  dispose(): Promise<void>;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
const transientStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);
const octetStreams = new Set(['application/octet-stream', 'binary/octet-stream']);

/**
 * Downloads videos from URLs the upstream chose, which makes it a server-side request to be
 * guarded: https only, public addresses only (checked at connect time, see the connector),
 * few redirects, video bodies only, bounded in size and time.
 */
export function createDownloader({ allowedHosts = [], maxBytes = 512 * 1024 * 1024, timeoutMs = 300_000, maxRedirects = 3, resolve, connect }: DownloaderOptions = {}): Downloader {
  const allowed = parseAllowedHosts(allowedHosts);
  const agent = new Agent({
    connect: createGuardedConnector({ allowedHosts: allowed, resolve, connect, timeoutMs }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 16,
  });

  function checkUrl(raw: string, base?: URL): URL {
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      throw new ArchiveError('insecure_url', 'The video URL is not a valid URL.', true);
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && allowed.has(url.hostname, portOf(url)))) return url;
    throw new ArchiveError('insecure_url', `The video URL must use https (got ${url.protocol.replace(':', '')}).`, true);
  }

  async function download(rawUrl: string, write: VideoWriter): Promise<DownloadedVideo> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    // Where a failure came from: the video server, or the store the body was written to.
    let writing = false;
    // A store may report a failing body with an error of its own (lib-storage: "Upload aborted").
    let bodyError: unknown;
    try {
      let url = checkUrl(rawUrl);
      for (let redirects = 0; ; redirects++) {
        const response = await request(url, {
          method: 'GET',
          dispatcher: agent,
          headers: { accept: 'video/*, application/octet-stream;q=0.9' },
          signal: controller.signal,
        });
        const { statusCode, headers, body } = response;
        if (redirectStatuses.has(statusCode) && headers.location) {
          await body.dump();
          if (redirects >= maxRedirects) throw new ArchiveError('too_many_redirects', `The video URL redirected more than ${maxRedirects} times.`, true);
          url = checkUrl(String(headers.location), url);
          continue;
        }
        if (statusCode < 200 || statusCode >= 300) {
          await body.dump();
          throw new ArchiveError('http_status', `The video server answered HTTP ${statusCode}.`, !transientStatuses.has(statusCode));
        }
        const declared = Number(headers['content-length']);
        if (declared > maxBytes) {
          await body.dump({ limit: 0 }).catch(() => {});
          throw new ArchiveError('too_large', `The video is larger than ${maxBytes} bytes.`, true);
        }
        const declaredType = mediaType(headers['content-type']);
        if (!declaredType.startsWith('video/') && !octetStreams.has(declaredType)) {
          throw new ArchiveError('content_type', `The video URL answered with ${declaredType || 'no content type'}, not a video.`, true);
        }
        const hash = createHash('sha256');
        let sizeBytes = 0;
        let contentType = declaredType;
        // Checks the body as it passes: the signature of an octet-stream before its first byte
        // is stored, the size cap on every chunk.
        async function* checked(): AsyncGenerator<Buffer> {
          let head: Buffer | undefined = declaredType.startsWith('video/') ? undefined : Buffer.alloc(0);
          try {
            for await (const chunk of body as AsyncIterable<Buffer>) {
              sizeBytes += chunk.length;
              if (sizeBytes > maxBytes) throw new ArchiveError('too_large', `The video is larger than ${maxBytes} bytes.`, true);
              hash.update(chunk);
              if (head === undefined) {
                yield chunk;
                continue;
              }
              head = Buffer.concat([head, chunk]);
              if (head.length < SIGNATURE_BYTES) continue;
              contentType = sniffed(head);
              const first = head;
              head = undefined;
              yield first;
            }
          } catch (error) {
            bodyError = error ?? new Error('The body failed.');
            throw error;
          }
          if (head !== undefined) {
            contentType = sniffed(head);
            yield head;
          }
        }
        writing = true;
        await write(Readable.from(checked(), { objectMode: false }), declaredType.startsWith('video/') ? declaredType : 'application/octet-stream');
        return { sizeBytes, contentType, sha256: hash.digest('hex') };
      }
    } catch (error) {
      const known = findArchiveError(bodyError) ?? findArchiveError(error);
      if (known) throw known;
      if (timedOut) throw new ArchiveError('timeout', `The video download took longer than ${timeoutMs} ms.`, false);
      if (writing && bodyError === undefined) throw new ArchiveError('storage', 'The video could not be stored.', false);
      throw new ArchiveError('network', 'The video download failed on the network.', false);
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  return {
    download,
    // Shutdown aborts downloads in flight: their archive is retried when the task is next seen.
    dispose: () => agent.destroy(),
  };
}

function sniffed(head: Buffer): string {
  const type = sniffVideoType(head);
  if (!type) throw new ArchiveError('content_type', 'The video URL answered with octet-stream that is neither MP4 nor WebM.', true);
  return type;
}
