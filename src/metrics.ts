import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FetchResult } from './upstream/client.js';
import type { FetchTask } from './upstream/retry.js';

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways can live in one
 * process, as in tests). No label ever carries a credential: labels are outcomes and codes.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const upstreamRequests = new Counter({
    name: 'upstream_requests_total',
    help: 'Upstream HTTP requests (each attempt), by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Duration of upstream HTTP requests (each attempt), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const upstreamRetries = new Counter({ name: 'upstream_retries_total', help: 'Upstream requests retried.', registers: [registry] });
  const cacheLookups = new Counter({
    name: 'task_cache_lookups_total',
    help: 'Task cache lookups, by result (hit, miss).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors sent to clients, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  // Our own operation metrics instead of @graphql-yoga/plugin-prometheus: its per-request label
  // filling and phase timers cost a tenth of the query throughput in a profile.
  const operations = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations over HTTP (queries, and the start of SSE subscriptions), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const wsOperations = new Counter({
    name: 'graphql_ws_operations_total',
    help: 'Operations started over websockets (subscriptions and queries).',
    registers: [registry],
  });
  return {
    registry,
    /** A gauge read when /metrics is scraped: each part registers its own live numbers. */
    gauge(name: string, help: string, read: () => number): void {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
    /** A counter read when /metrics is scraped, from a part's own running total. */
    counter(name: string, help: string, read: () => number): void {
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    },
    countRetry: () => upstreamRetries.inc(),
    observeOperation: (seconds: number, failed: boolean) => operations.observe({ outcome: failed ? 'error' : 'ok' }, seconds),
    countWsOperation: () => wsOperations.inc(),
    countCacheLookup: (hit: boolean) => cacheLookups.inc({ result: hit ? 'hit' : 'miss' }),
    countErrors(codes: Iterable<string>, times = 1) {
      for (const code of codes) graphqlErrors.inc({ code }, times);
    },
    /** `fetchTask` that records each attempt's outcome and duration. */
    instrument(fetchTask: FetchTask): FetchTask {
      return async (token, id) => {
        const end = upstreamDuration.startTimer();
        const result = await fetchTask(token, id);
        const outcome = outcomeOf(result);
        end({ outcome });
        upstreamRequests.inc({ outcome });
        return result;
      };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A small closed set of outcome labels. */
export function outcomeOf(result: FetchResult): string {
  if (result.ok) return 'ok';
  switch (result.failure.code) {
    case 'TASK_NOT_FOUND':
      return 'not_found';
    case 'UNAUTHENTICATED':
      return 'unauthorized';
    case 'FORBIDDEN':
      return 'forbidden';
    case 'UPSTREAM_BAD_RESPONSE':
      return 'bad_response';
    case 'BAD_USER_INPUT':
      return 'invalid_request';
    default:
      if (result.status === 429) return 'rate_limited';
      if (result.status !== undefined) return 'server_error';
      return result.transport === 'timeout' ? 'timeout' : 'network_error';
  }
}
