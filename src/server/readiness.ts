import type { LifecycleState } from './lifecycle.js';

/** What `/readyz` answers, always with this body. */
export interface Readiness {
  /** `degraded`: serving, with Redis down in fleet mode. */
  status: 'ready' | 'degraded' | 'starting' | 'shutting down';
  /** `off` in one process (no REDIS_URL). */
  redis: 'ok' | 'down' | 'off';
  upstreamCircuit: 'closed' | 'open' | 'half-open';
}

/**
 * Readiness of this instance. Only its own start and shutdown make it unready (503): an open
 * upstream circuit or a Redis outage is the same on every replica, and a load balancer taking the
 * whole fleet out for it would stop cached tasks and live subscriptions from being served.
 */
export function readinessOf(lifecycle: LifecycleState, redis: Readiness['redis'], upstreamCircuit: Readiness['upstreamCircuit']): Readiness {
  const status = lifecycle === 'starting' ? 'starting' : lifecycle !== 'ready' ? 'shutting down' : redis === 'down' ? 'degraded' : 'ready';
  return { status, redis, upstreamCircuit };
}

/** Whether the instance takes traffic: 200 on /readyz, else 503. */
export function isServing(readiness: Readiness): boolean {
  return readiness.status === 'ready' || readiness.status === 'degraded';
}
