import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';

/**
 * A bearer token with its fingerprint. The token is forwarded to the upstream and nowhere else:
 * it is not enumerable, and JSON, `util.inspect` and template strings show only the fingerprint,
 * so a credential that slips into a log line or an error leaks nothing.
 */
export interface Credential {
  readonly token: string;
  /** Keyed hash of the token: the key of everything cached or shared for this credential. */
  readonly fingerprint: string;
}

/**
 * Makes credentials whose fingerprints are an HMAC-SHA256 keyed with `secret`. Tokens up to
 * `maxMemoizedBytes` are memoized (1024 at most, so the memo holds at most 1024 such tokens);
 * longer ones are fingerprinted afresh each time and never kept.
 */
export function createCredentials(secret: string, maxMemoizedBytes = 4096) {
  const cache = new Map<string, Credential>();
  return {
    /** The credential for a bearer token; memoized for the few tokens a process sees at once. */
    fromToken(token: string): Credential {
      let credential = cache.get(token);
      if (credential) return credential;
      const fingerprint = createHmac('sha256', secret).update(token).digest('hex').slice(0, 32);
      credential = makeCredential(token, fingerprint);
      if (token.length > maxMemoizedBytes) return credential;
      if (cache.size >= 1024) cache.clear();
      cache.set(token, credential);
      return credential;
    },
  };
}

export type Credentials = ReturnType<typeof createCredentials>;

function makeCredential(token: string, fingerprint: string): Credential {
  const shown = `Credential(${fingerprint.slice(0, 8)})`;
  const credential = { fingerprint } as Credential;
  Object.defineProperties(credential, {
    token: { value: token, enumerable: false },
    toJSON: { value: () => ({ fingerprint }), enumerable: false },
    toString: { value: () => shown, enumerable: false },
    [inspect.custom]: { value: () => shown, enumerable: false },
  });
  return Object.freeze(credential);
}

/**
 * Extracts the token of an `Authorization: Bearer ...` value, an RFC 6750 token (letters, digits
 * and `-._~+/`, then `=` padding): anything else could not be sent on as an HTTP header.
 * Returns `undefined` when absent and `null` when present but not a bearer credential.
 */
export function parseBearer(header: unknown): string | undefined | null {
  if (header === undefined || header === null || header === '') return undefined;
  if (typeof header !== 'string') return null;
  const match = /^\s*Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
