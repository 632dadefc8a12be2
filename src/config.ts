import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** The gateway's settings, after validation. Every field maps to one environment variable. */
export interface Config {
  /** `PORT`. @default 4000 */
  port: number;
  /** `HOST`. @default '127.0.0.1' */
  host: string;
  /** `UPSTREAM_URL`: base URL of the upstream API. Unset: the embedded simulator runs (demo mode). */
  upstreamUrl: string | undefined;
  /** `UPSTREAM_API_KEY`: credential used when a client sends none. */
  upstreamApiKey: string | undefined;
  /** `UPSTREAM_TIMEOUT_MS`: timeout of one upstream request. @default 4000 */
  upstreamTimeoutMs: number;
  /** `UPSTREAM_RETRIES`: retries of a failed upstream GET (network error, 5xx, 429). @default 2 */
  upstreamRetries: number;
  /** `OPERATION_DEADLINE_MS`: a query's longest wait for a task, queueing and retries included. @default 8000 */
  operationDeadlineMs: number;
  /** `UPSTREAM_QUEUE_LIMIT`: upstream requests waiting for a slot at most; beyond it RATE_LIMITED. @default 1000 */
  upstreamQueueLimit: number;
  /** `AUTH_FAILURE_TTL_MS`: how long a 401/403 on a read is remembered for its credential. @default 5000 */
  authFailureTtlMs: number;
  /** `BREAKER_WINDOW_MS`: one credential's failures open the shared circuit only if no other credential read within this. @default 10000 */
  breakerWindowMs: number;
  /** `MAX_LIST_LENGTH`: items of a list argument at most, before de-duplication. @default 1000 */
  maxListLength: number;
  /** `MAX_TOKEN_BYTES`: longest bearer token; longer is UNAUTHENTICATED at once. @default 4096 */
  maxTokenBytes: number;
  /** `BREAKER_THRESHOLD`: consecutive failed upstream requests that open the circuit. @default 5 */
  breakerThreshold: number;
  /** `BREAKER_COOLDOWN_MS`: how long the circuit stays open before a trial request. @default 5000 */
  breakerCooldownMs: number;
  /** `METRICS_TOKEN`: when set, /metrics wants `Authorization: Bearer <it>`. */
  metricsToken: string | undefined;
  /** `SHUTDOWN_TIMEOUT_MS`: how long in-flight requests may take to finish on shutdown. @default 10000 */
  shutdownTimeoutMs: number;
  /** `UPSTREAM_CONCURRENCY`: upstream requests in flight at most, shared by queries and pollers. @default 16 */
  upstreamConcurrency: number;
  /** `POLL_INTERVAL_MS`: base interval of a subscription's poll loop. @default 5000 */
  pollIntervalMs: number;
  /** `POLL_QUEUED_FACTOR`: interval multiplier while a task is SUBMITTED, QUEUED or UNKNOWN. @default 2 */
  pollQueuedFactor: number;
  /** `POLL_IN_PROGRESS_FACTOR`: interval multiplier while a task is IN_PROGRESS. @default 1 */
  pollInProgressFactor: number;
  /** `POLL_JITTER`: random spread of each interval, as a fraction of it (0 to 1). @default 0.2 */
  pollJitter: number;
  /** `MAX_WATCH_MS`: a subscription ends with WATCH_TIMEOUT after watching this long. @default 1800000 */
  maxWatchMs: number;
  /** `MAX_POLL_FAILURE_MS`: a subscription ends after the upstream failed without a break this long. @default 300000 */
  maxPollFailureMs: number;
  /** `MAX_SUBSCRIPTIONS_PER_CONNECTION`: active subscriptions per websocket. @default 100 */
  maxSubscriptionsPerConnection: number;
  /** `TASK_CACHE_SIZE`: finished tasks kept in memory per process. @default 10000 */
  taskCacheSize: number;
  /** `TASK_FRESHNESS_MS`: how long an unfinished task fetched for a query may be served again. @default 0 */
  taskFreshnessMs: number;
  /** `MAX_TASK_IDS`: distinct task ids one operation may ask for, across all its fields. @default 100 */
  maxTaskIds: number;
  /** `FINGERPRINT_SECRET`: key of the HMAC that fingerprints credentials. @default random per process */
  fingerprintSecret: string;
  /** `MAX_DEPTH`: selection depth at most (fragments flattened), introspection included (GraphiQL's own introspection query needs 15). @default 20 */
  maxDepth: number;
  /** `MAX_ALIASES`: aliases per operation at most. @default 15 */
  maxAliases: number;
  /** `MAX_TOKENS`: lexical tokens per document at most. @default 1000 */
  maxTokens: number;
  /** `MAX_COST`: graphql-armor cost per operation at most. @default 5000 */
  maxCost: number;
  /** `MAX_DIRECTIVES`: directives per operation at most. @default 10 */
  maxDirectives: number;
  /** `BODY_LIMIT_BYTES`: largest request body; larger ones get 413. @default 1048576 */
  bodyLimitBytes: number;
  /** `WS_INIT_TIMEOUT_MS`: a websocket that sends no connection_init within this closes with 4408. @default 3000 */
  wsInitTimeoutMs: number;
  /** `MAX_CONNECTIONS_PER_ADDRESS`: open websockets per client address. @default 256 */
  maxConnectionsPerAddress: number;
  /** `CORS_ORIGINS`: comma-separated origins allowed for CORS and websocket upgrades, or `*`; unset sends no CORS headers and lets websockets come from any origin. */
  corsOrigins: string[] | undefined;
  /** `GRAPHIQL`. @default true, false when NODE_ENV=production */
  graphiql: boolean;
  /** `LIVE_PAGE`: serve the live task page at `/`. @default on in demo mode, off otherwise */
  livePage: boolean | undefined;
  /** `INTROSPECTION`. @default true, false when NODE_ENV=production */
  introspection: boolean;
  /** `NODE_ENV === 'production'`: masks error details. */
  production: boolean;
  /** `LOG_LEVEL`: fatal, error, warn, info, debug, trace or silent. @default 'info' */
  logLevel: LogLevel;
}

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

const int = (min: number) => z.coerce.number().int().min(min);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const optionalString = z.string().trim().optional().transform((v) => (v ? v : undefined));

const envSchema = z.object({
  PORT: int(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  UPSTREAM_URL: optionalString.pipe(
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.example.com' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  UPSTREAM_API_KEY: optionalString,
  UPSTREAM_TIMEOUT_MS: int(1).default(4000),
  UPSTREAM_CONCURRENCY: int(1).default(16),
  UPSTREAM_RETRIES: int(0).max(10).default(2),
  OPERATION_DEADLINE_MS: int(1).default(8000),
  UPSTREAM_QUEUE_LIMIT: int(1).default(1000),
  AUTH_FAILURE_TTL_MS: int(0).default(5000),
  BREAKER_WINDOW_MS: int(1).default(10_000),
  MAX_LIST_LENGTH: int(1).default(1000),
  MAX_TOKEN_BYTES: int(1).default(4096),
  BREAKER_THRESHOLD: int(1).default(5),
  BREAKER_COOLDOWN_MS: int(1).default(5000),
  METRICS_TOKEN: optionalString,
  SHUTDOWN_TIMEOUT_MS: int(0).default(10_000),
  POLL_INTERVAL_MS: int(1).default(5000),
  POLL_QUEUED_FACTOR: z.coerce.number().positive().default(2),
  POLL_IN_PROGRESS_FACTOR: z.coerce.number().positive().default(1),
  POLL_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  MAX_WATCH_MS: int(1).default(30 * 60_000),
  MAX_POLL_FAILURE_MS: int(0).default(5 * 60_000),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1).default(100),
  TASK_CACHE_SIZE: int(1).default(10_000),
  TASK_FRESHNESS_MS: int(0).default(0),
  MAX_TASK_IDS: int(1).max(1000).default(100),
  FINGERPRINT_SECRET: optionalString,
  MAX_DEPTH: int(1).default(20),
  MAX_ALIASES: int(0).default(15),
  MAX_TOKENS: int(1).default(1000),
  MAX_COST: int(1).default(5000),
  MAX_DIRECTIVES: int(0).default(10),
  BODY_LIMIT_BYTES: int(1).default(1 << 20),
  WS_INIT_TIMEOUT_MS: int(1).default(3000),
  MAX_CONNECTIONS_PER_ADDRESS: int(1).default(256),
  CORS_ORIGINS: optionalString.transform((v) => v?.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean)),
  GRAPHIQL: bool.optional(),
  LIVE_PAGE: bool.optional(),
  INTROSPECTION: bool.optional(),
  NODE_ENV: z.string().optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
});

/** Thrown by {@link loadConfig} with every problem listed, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates the configuration from environment variables.
 * Empty strings count as unset.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '?');
      return `  ${key}: ${issue.message} (got ${JSON.stringify(cleaned[key])})`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return {
    port: e.PORT,
    host: e.HOST,
    upstreamUrl: e.UPSTREAM_URL,
    upstreamApiKey: e.UPSTREAM_API_KEY,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    upstreamConcurrency: e.UPSTREAM_CONCURRENCY,
    upstreamRetries: e.UPSTREAM_RETRIES,
    operationDeadlineMs: e.OPERATION_DEADLINE_MS,
    upstreamQueueLimit: e.UPSTREAM_QUEUE_LIMIT,
    authFailureTtlMs: e.AUTH_FAILURE_TTL_MS,
    breakerWindowMs: e.BREAKER_WINDOW_MS,
    maxListLength: e.MAX_LIST_LENGTH,
    maxTokenBytes: e.MAX_TOKEN_BYTES,
    breakerThreshold: e.BREAKER_THRESHOLD,
    breakerCooldownMs: e.BREAKER_COOLDOWN_MS,
    metricsToken: e.METRICS_TOKEN,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    pollIntervalMs: e.POLL_INTERVAL_MS,
    pollQueuedFactor: e.POLL_QUEUED_FACTOR,
    pollInProgressFactor: e.POLL_IN_PROGRESS_FACTOR,
    pollJitter: e.POLL_JITTER,
    maxWatchMs: e.MAX_WATCH_MS,
    maxPollFailureMs: e.MAX_POLL_FAILURE_MS,
    maxSubscriptionsPerConnection: e.MAX_SUBSCRIPTIONS_PER_CONNECTION,
    taskCacheSize: e.TASK_CACHE_SIZE,
    taskFreshnessMs: e.TASK_FRESHNESS_MS,
    maxTaskIds: e.MAX_TASK_IDS,
    fingerprintSecret: e.FINGERPRINT_SECRET ?? randomBytes(32).toString('hex'),
    maxDepth: e.MAX_DEPTH,
    maxAliases: e.MAX_ALIASES,
    maxTokens: e.MAX_TOKENS,
    maxCost: e.MAX_COST,
    maxDirectives: e.MAX_DIRECTIVES,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    wsInitTimeoutMs: e.WS_INIT_TIMEOUT_MS,
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    corsOrigins: e.CORS_ORIGINS,
    graphiql: e.GRAPHIQL ?? !production,
    livePage: e.LIVE_PAGE,
    introspection: e.INTROSPECTION ?? !production,
    production,
    logLevel: e.LOG_LEVEL,
  };
}
