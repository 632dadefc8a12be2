import type { Credential } from '../credential.js';
import type { FetchResult } from './client.js';

export interface RetryOptions {
  /** Retries after the first attempt, at most. @default 2 */
  retries?: number | undefined;
  /** First backoff step, in ms; step n waits a random time up to `baseDelayMs * 2^n` (full jitter). @default 100 */
  baseDelayMs?: number | undefined;
  /** Longest wait before a retry, in ms; a longer `Retry-After` is not waited for. @default 5000 */
  maxDelayMs?: number | undefined;
  /** Told of each retry, for metrics. */
  onRetry?: (() => void) | undefined;
  /** @default Math.random */
  random?: (() => number) | undefined;
}

/** One GET of one task; `attempt` counts from 1 within a request's retries. */
export type FetchTask = (token: string, id: string, attempt?: number) => Promise<FetchResult>;

/** One read of one task on behalf of a credential: what retries, the gate and the breakers wrap. */
export type ReadTask = (credential: Credential, id: string, attempt?: number) => Promise<FetchResult>;

/**
 * Retries an idempotent GET on network errors, timeouts, 5xx and 429, with exponential backoff
 * and full jitter; a `Retry-After` is honored (or, when longer than `maxDelayMs`, handed up to the
 * caller instead of waited for). 400, 401, 403, 404 and bad bodies are never retried.
 */
export function withRetries<A>(
  fetchTask: (who: A, id: string, attempt?: number) => Promise<FetchResult>,
  { retries = 2, baseDelayMs = 100, maxDelayMs = 5000, onRetry, random = Math.random }: RetryOptions = {},
): (who: A, id: string, attempt?: number) => Promise<FetchResult> {
  return async (who, id) => {
    let result = await fetchTask(who, id, 1);
    for (let attempt = 0; attempt < retries && isRetryable(result); attempt++) {
      const asked = result.ok ? undefined : result.failure.retryAfterMs;
      if (asked !== undefined && asked > maxDelayMs) return result;
      const delay = asked ?? Math.round(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));
      await new Promise((resolve) => setTimeout(resolve, delay));
      onRetry?.();
      result = await fetchTask(who, id, attempt + 2);
    }
    return result;
  };
}

/** Transient: no answer, a 5xx or a 429. */
export function isRetryable(result: FetchResult): boolean {
  if (result.ok || result.failure.code !== 'UPSTREAM_UNAVAILABLE') return false;
  return result.status === undefined || result.status === 429 || result.status >= 500;
}
