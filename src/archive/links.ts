import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ArchiveKey } from './storage.js';

/** The path archived videos are served under: `/videos/<token>`. */
export const VIDEOS_PATH = '/videos/';

export interface ArchiveLinksOptions {
  /** FINGERPRINT_SECRET: the links' key is derived from it, so links outlive a restart only when it is set. */
  secret: string;
  /** ARCHIVE_URL_TTL_MS: a link's life; links are minted per half of it. @default 3600000 */
  ttlMs?: number | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
}

export interface ArchiveLinks {
  /**
   * The token of `/videos/<token>` for this archive. Its expiry is rounded up to a boundary of
   * half the TTL: the same token comes back for a while (cacheable answers), valid for at least
   * half and at most the whole TTL.
   */
  mint(key: ArchiveKey): string;
  /** The archive a token names and its expiry (ms), or undefined when forged, malformed or expired. */
  verify(token: string): { key: ArchiveKey; expiresAt: number } | undefined;
}

/** Signed, expiring links to archives: an HMAC-SHA256 over (fingerprint, task id, expiry). */
export function createArchiveLinks({ secret, ttlMs = 3_600_000, now = Date.now }: ArchiveLinksOptions): ArchiveLinks {
  // A key of its own, so that a link's MAC can never double as a credential fingerprint.
  const key = createHmac('sha256', secret).update('archive-links/v1').digest();
  const half = Math.max(1000, Math.floor(ttlMs / 2));
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();

  return {
    mint({ fingerprint, taskId }) {
      const expiresAt = Math.ceil((now() + half) / half) * half;
      const payload = `${fingerprint}.${taskId}.${expiresAt}`;
      return `${Buffer.from(payload).toString('base64url')}.${mac(payload).toString('base64url')}`;
    },
    verify(token) {
      const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return undefined;
      const payload = Buffer.from(match[1]!, 'base64url').toString();
      const expected = mac(payload);
      const given = Buffer.from(match[2]!, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      // The task id may itself contain dots: the fingerprint is first, the expiry last.
      const parts = /^([0-9a-f]+)\.(.+)\.(\d+)$/.exec(payload);
      if (!parts) return undefined;
      const expiresAt = Number(parts[3]);
      if (!(expiresAt > now())) return undefined;
      return { key: { fingerprint: parts[1]!, taskId: parts[2]! }, expiresAt };
    },
  };
}
