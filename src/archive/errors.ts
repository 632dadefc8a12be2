/**
 * Why an archive failed: a small closed set, used as the metrics label and shown to clients
 * (in `archive.error`) with a message of ours. Never an upstream body.
 */
export type ArchiveFailureReason =
  /** The URL (or a redirect) is not https and its host is not in ARCHIVE_ALLOWED_HOSTS. */
  | 'insecure_url'
  /** The host resolved to a private, loopback, link-local or metadata address. */
  | 'blocked_address'
  | 'too_many_redirects'
  /** The server answered with a status that is not a success (4xx, or 5xx after the retries). */
  | 'http_status'
  /** The body is not a video: neither `video/*` nor octet-stream with an MP4/WebM signature. */
  | 'content_type'
  /** Larger than ARCHIVE_MAX_BYTES. */
  | 'too_large'
  | 'timeout'
  /** Connection refused or reset, DNS failure. */
  | 'network'
  /** Writing to the archive store failed. */
  | 'storage';

/** A failed archive attempt; `permanent` ones are recorded as FAILED instead of retried. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
  constructor(
    readonly reason: ArchiveFailureReason,
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** The ArchiveError in `error` or in its cause chain (undici wraps connector errors at times). */
export function findArchiveError(error: unknown): ArchiveError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ArchiveError) return e;
  }
  return undefined;
}
