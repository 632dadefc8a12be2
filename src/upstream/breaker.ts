import { LRUCache } from 'lru-cache';
import { ErrorCode, failure } from '../errors.js';
import type { FetchResult } from './client.js';
import type { ReadTask } from './retry.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failed reads (after retries) that open a circuit. @default 5 */
  threshold?: number | undefined;
  /** How long a circuit stays open before one trial request, in ms. @default 5000 */
  cooldownMs?: number | undefined;
  /**
   * How far back "other traffic" is looked for, in ms: a run of failures of one credential opens
   * the shared circuit only when no other credential sent a read within this window. @default 10000
   */
  windowMs?: number | undefined;
  /** Credentials whose circuit state is kept at most (closed ones with no failures are not kept). @default 10000 */
  maxCredentials?: number | undefined;
  /** Told of every change of the shared circuit, for logs and metrics. */
  onStateChange?: ((state: BreakerState) => void) | undefined;
  /** Told when a credential's own circuit opens, and when it closes again, for logs. */
  onCredentialStateChange?: ((fingerprint: string, state: 'open' | 'closed') => void) | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
}

export interface Breaker {
  /** Reads behind the breakers: they fail fast with UPSTREAM_UNAVAILABLE while a circuit that applies is open. */
  wrap(read: ReadTask): ReadTask;
  /** The shared circuit's state (what /readyz reports). */
  readonly state: BreakerState;
  /** A credential's own circuit state. */
  stateOf(fingerprint: string): BreakerState;
}

interface Circuit {
  state: BreakerState;
  failures: number;
  openedAt: number;
  trialInFlight: boolean;
}

const newCircuit = (): Circuit => ({ state: 'closed', failures: 0, openedAt: 0, trialInFlight: false });

/**
 * Circuit breakers for upstream reads: a shared one and one per credential, with the same
 * threshold and cooldown. Only transport failures (refused or reset connections, timeouts) and
 * 5xx answers count; any other answer proves the upstream alive and resets the count.
 *
 * A credential's failures are its own: its circuit opens after `threshold` failures of its reads in
 * a row. The shared circuit, which pauses every credential and turns /readyz 503, opens after
 * `threshold` failures in a row only when they come from at least two credentials, or from one
 * credential that is all the traffic there is (no other credential read within `windowMs`): one
 * tenant's failing ids cannot pause the others.
 *
 * Only reads go through here: answers of the create endpoint never count toward any breaker.
 */
export function createBreaker({
  threshold = 5,
  cooldownMs = 5000,
  windowMs = 10_000,
  maxCredentials = 10_000,
  onStateChange,
  onCredentialStateChange,
  now = Date.now,
}: BreakerOptions = {}): Breaker {
  const shared = newCircuit();
  // The credentials of the shared run of failures: the first one, and whether another joined it.
  let runFirst: string | undefined;
  let runShared = false;
  // The two credentials most recently seen reading, distinct: enough to tell whether anyone but X read lately.
  const recent: { fingerprint: string; at: number }[] = [];
  const own = new LRUCache<string, Circuit>({ max: maxCredentials });

  const setShared = (next: BreakerState) => {
    if (next === shared.state) return;
    shared.state = next;
    onStateChange?.(next);
  };

  function seen(fingerprint: string): void {
    const at = now();
    if (recent[0]?.fingerprint === fingerprint) recent[0].at = at;
    else {
      recent.unshift({ fingerprint, at });
      recent.length = Math.min(recent.length, 2);
    }
  }

  function othersReadLately(fingerprint: string): boolean {
    const other = recent[0]?.fingerprint === fingerprint ? recent[1] : recent[0];
    return other !== undefined && now() - other.at < windowMs;
  }

  /** Moves an open circuit whose cooldown is over to half-open. */
  function current(circuit: Circuit): BreakerState {
    if (circuit.state === 'open' && now() - circuit.openedAt >= cooldownMs) return 'half-open';
    return circuit.state;
  }

  /** Whether a read may go through this circuit now; claims the trial when half-open. */
  function admit(circuit: Circuit, isShared: boolean): boolean {
    const state = current(circuit);
    if (state !== circuit.state) (isShared ? setShared : (s: BreakerState) => (circuit.state = s))(state);
    if (state === 'open' || (state === 'half-open' && circuit.trialInFlight)) return false;
    return true;
  }

  function recordShared(result: FetchResult, fingerprint: string): void {
    if (!countsAsFailure(result)) {
      shared.failures = 0;
      runFirst = undefined;
      runShared = false;
      setShared('closed');
      return;
    }
    shared.failures++;
    if (runFirst === undefined) runFirst = fingerprint;
    else if (runFirst !== fingerprint) runShared = true;
    const widespread = runShared || !othersReadLately(fingerprint);
    if (shared.state === 'half-open' || (shared.failures >= threshold && widespread)) {
      shared.openedAt = now();
      setShared('open');
    }
  }

  function recordOwn(result: FetchResult, fingerprint: string, circuit: Circuit | undefined): void {
    if (!countsAsFailure(result)) {
      // A healthy credential keeps no state.
      if (circuit) {
        own.delete(fingerprint);
        if (circuit.state !== 'closed') onCredentialStateChange?.(fingerprint, 'closed');
      }
      return;
    }
    const c = circuit ?? newCircuit();
    if (!circuit) own.set(fingerprint, c);
    c.failures++;
    if (c.state === 'half-open' || c.failures >= threshold) {
      c.openedAt = now();
      if (c.state === 'closed') onCredentialStateChange?.(fingerprint, 'open');
      c.state = 'open';
    }
  }

  const open = (wait: number, whose: string) => ({
    ok: false as const,
    // Status 0: nothing was sent, so neither retried nor counted.
    status: 0,
    failure: failure(ErrorCode.UpstreamUnavailable, `The upstream is failing${whose}; requests are paused for a moment (circuit open).`, wait),
  });

  return {
    wrap(read) {
      return async (credential, id) => {
        const { fingerprint } = credential;
        seen(fingerprint);
        if (!admit(shared, true)) return open(Math.max(0, cooldownMs - (now() - shared.openedAt)), '');
        const circuit = own.get(fingerprint);
        if (circuit && !admit(circuit, false)) return open(Math.max(0, cooldownMs - (now() - circuit.openedAt)), ' for this credential');
        const sharedTrial = shared.state === 'half-open';
        const ownTrial = circuit?.state === 'half-open';
        if (sharedTrial) shared.trialInFlight = true;
        if (ownTrial) circuit!.trialInFlight = true;
        try {
          const result = await read(credential, id);
          // Status 0: nothing was sent (a dropped or refused attempt), which says nothing about the upstream.
          if (result.ok || result.status !== 0) {
            recordShared(result, fingerprint);
            recordOwn(result, fingerprint, own.get(fingerprint));
          }
          return result;
        } finally {
          if (sharedTrial) shared.trialInFlight = false;
          if (ownTrial) circuit!.trialInFlight = false;
        }
      };
    },
    get state() {
      return current(shared);
    },
    stateOf(fingerprint) {
      const circuit = own.get(fingerprint);
      return circuit ? current(circuit) : 'closed';
    },
  };
}

/** Transport failures (no answer) and 5xx answers: what says the upstream itself is failing. */
function countsAsFailure(result: FetchResult): boolean {
  if (result.ok) return false;
  if (result.transport !== undefined) return true;
  return result.status !== undefined && result.status >= 500;
}
