import { ErrorCode, failure } from '../errors.js';
import type { FetchResult } from './client.js';
import type { FetchTask } from './retry.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failed requests (after retries) that open the circuit. @default 5 */
  threshold?: number | undefined;
  /** How long the circuit stays open before one trial request, in ms. @default 5000 */
  cooldownMs?: number | undefined;
  /** Told of every state change, for logs and metrics. */
  onStateChange?: ((state: BreakerState) => void) | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
}

export interface Breaker {
  /** `fetchTask` behind the breaker: fails fast with UPSTREAM_UNAVAILABLE while the circuit is open. */
  wrap(fetchTask: FetchTask): FetchTask;
  readonly state: BreakerState;
}

/**
 * A circuit breaker for the upstream. Timeouts, network errors, 5xx and bad bodies count as
 * failures; any other answer (a task, 4xx, 429) proves the upstream alive and closes the count.
 * After `threshold` failures in a row it opens for `cooldownMs`, then lets one trial through.
 */
export function createBreaker({ threshold = 5, cooldownMs = 5000, onStateChange, now = Date.now }: BreakerOptions = {}): Breaker {
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let trialInFlight = false;

  const set = (next: BreakerState) => {
    if (next === state) return;
    state = next;
    onStateChange?.(next);
  };

  const record = (result: FetchResult) => {
    // Status 0: nothing was sent (a dropped poll), which says nothing about the upstream.
    if (!result.ok && result.status === 0) return;
    if (countsAsFailure(result)) {
      failures++;
      if (state === 'half-open' || failures >= threshold) {
        openedAt = now();
        set('open');
      }
    } else {
      failures = 0;
      set('closed');
    }
  };

  return {
    wrap(fetchTask) {
      return async (token, id) => {
        if (state === 'open' && now() - openedAt >= cooldownMs) set('half-open');
        if (state === 'open' || (state === 'half-open' && trialInFlight)) {
          const wait = Math.max(0, cooldownMs - (now() - openedAt));
          return { ok: false, failure: failure(ErrorCode.UpstreamUnavailable, 'The upstream is failing; requests are paused for a moment (circuit open).', wait) };
        }
        const trial = state === 'half-open';
        if (trial) trialInFlight = true;
        try {
          const result = await fetchTask(token, id);
          record(result);
          return result;
        } finally {
          if (trial) trialInFlight = false;
        }
      };
    },
    get state() {
      if (state === 'open' && now() - openedAt >= cooldownMs) return 'half-open';
      return state;
    },
  };
}

function countsAsFailure(result: FetchResult): boolean {
  if (result.ok) return false;
  const { code } = result.failure;
  const { status } = result;
  // A bad body on a 2xx means a broken upstream; a 4xx is an answer about this request only.
  if (code === ErrorCode.UpstreamBadResponse) return status === undefined || (status >= 200 && status < 300);
  return code === ErrorCode.UpstreamUnavailable && (status === undefined || status >= 500);
}
