import type { Fleet } from './index.js';

/** Where live numbers are registered: the gateway's metrics (read when /metrics is scraped). */
export interface MetricsRegistrar {
  gauge(name: string, help: string, read: () => number): void;
  counter(name: string, help: string, read: () => number): void;
}

/** The fleet's own numbers: Redis state, leases, takeovers, local fallback, channels. */
export function registerFleetMetrics(metrics: MetricsRegistrar, fleet: Fleet): void {
  metrics.gauge('fleet_redis_up', 'Fleet mode: 1 while Redis answers, 0 while this instance polls locally.', () => (fleet.redis.state === 'ok' ? 1 : 0));
  metrics.gauge('fleet_leases_held', 'Fleet mode: leases on poll loops this instance holds in Redis.', () => fleet.ownership.held);
  metrics.gauge('fleet_fallback_loops', 'Fleet mode: poll loops run without a lease because Redis is unreachable.', () => fleet.ownership.fallback);
  metrics.gauge('fleet_channels', 'Fleet mode: Redis channels this instance subscribes to (one per watched key).', () => fleet.bus.topics);
  metrics.counter('fleet_lease_takeovers_total', 'Fleet mode: poll loops taken over from another instance (dead or gone).', () => fleet.ownership.takeovers);
}
