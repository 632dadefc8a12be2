import { LRUCache } from 'lru-cache';
import { ErrorCode, type Failure } from '../errors.js';
import type { FetchResult } from './client.js';
import type { ReadTask } from './retry.js';

export interface CredentialGateOptions {
  /** How long a 401 or 403 on a read is remembered for its credential, in ms; 0 remembers nothing. @default 5000 */
  refusalTtlMs?: number | undefined;
  /** How long a credential the upstream accepted counts as known, in ms. @default 60000 */
  acceptedTtlMs?: number | undefined;
  /** Credentials remembered at most, refused and accepted each. @default 10000 */
  maxCredentials?: number | undefined;
}

export interface CredentialGate {
  /** Reads behind the gate: a credential refused lately fails at once, without an upstream call. */
  wrap(read: ReadTask): ReadTask;
}

/**
 * A credential's refusals are its own, and cheap: a 401 or 403 on a read is remembered for
 * `refusalTtlMs`, and while a credential is not known to be accepted, its reads wait for the first
 * one to be answered. A bogus token asking for a hundred ids costs one upstream call, not a hundred.
 */
export function createCredentialGate({ refusalTtlMs = 5000, acceptedTtlMs = 60_000, maxCredentials = 10_000 }: CredentialGateOptions = {}): CredentialGate {
  const refused = refusalTtlMs > 0 ? new LRUCache<string, Failure>({ max: maxCredentials, ttl: refusalTtlMs }) : undefined;
  const accepted = new LRUCache<string, true>({ max: maxCredentials, ttl: acceptedTtlMs });
  // The first read of a credential not known yet: the others wait for its answer.
  const probes = new Map<string, Promise<unknown>>();

  return {
    wrap(read) {
      if (!refused) return read;
      return async (credential, id) => {
        const { fingerprint } = credential;
        const known = refused.get(fingerprint);
        // Status 0: nothing was sent; neither retried nor counted by the breakers.
        if (known) return { ok: false, status: 0, failure: known };
        if (accepted.has(fingerprint)) return remember(fingerprint, await read(credential, id));
        const probe = probes.get(fingerprint);
        if (probe) {
          await probe;
          const verdict = refused.get(fingerprint);
          if (verdict) return { ok: false, status: 0, failure: verdict };
          // No refusal (an acceptance, or an outage that says nothing): the rest go in parallel.
          return remember(fingerprint, await read(credential, id));
        }
        const answered = read(credential, id).then((result) => remember(fingerprint, result));
        const settled = answered.then(
          () => undefined,
          () => undefined,
        );
        probes.set(fingerprint, settled);
        void settled.then(() => probes.delete(fingerprint));
        return answered;
      };
    },
  };

  function remember(fingerprint: string, result: FetchResult): FetchResult {
    if (!result.ok && (result.failure.code === ErrorCode.Unauthenticated || result.failure.code === ErrorCode.Forbidden) && result.status !== 0) {
      refused!.set(fingerprint, result.failure);
      accepted.delete(fingerprint);
    } else if (result.ok || (result.status !== undefined && result.status !== 0 && result.status < 500)) {
      accepted.set(fingerprint, true);
    }
    return result;
  }
}
