import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

// Every environment variable the gateway reads is declared once, below: its type, its default and
// its documentation (`describe`). The `Config` type is derived from this schema (each variable in
// camelCase), the README's settings table is printed from it (`npm run settings:print`) and a test
// checks that the two agree.

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

const int = (min: number) => z.coerce.number().int().min(min);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const optionalString = z.string().trim().optional().transform((v) => (v ? v : undefined));
const optionalUrl = (protocols: RegExp, example: string) =>
  optionalString.pipe(
    z
      .url({ protocol: protocols, error: `must be a URL such as ${example}` })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  );
const list = optionalString.transform((v) => v?.split(',').map((o) => o.trim()).filter(Boolean));

/** The settings, by environment variable. Descriptions are sentences; the default is read from the schema. */
export const settings = {
  PORT: int(0).max(65535).default(4000).describe('Port to listen on (0: any free port).'),
  HOST: z.string().min(1).default('127.0.0.1').describe('Address to listen on; `0.0.0.0` or `::` to accept outside connections.'),
  UPSTREAM_URL: optionalUrl(/^https?$/, 'https://api.example.com').describe(
    'Base URL of the upstream API. Unset: demo mode, the embedded simulator answers.',
  ),
  UPSTREAM_API_KEY: optionalString.describe('Credential used for clients that send no `Authorization` header. Unset: such clients get `UNAUTHENTICATED`.'),
  UPSTREAM_TIMEOUT_MS: int(1).default(4000).describe('Timeout of one upstream request (an attempt).'),
  UPSTREAM_CONCURRENCY: int(1).default(16).describe('Upstream requests in flight at most, shared by queries and poll loops.'),
  UPSTREAM_RETRIES: int(0).max(10).default(2).describe('Retries of a failed upstream read (network error, 5xx, 429), with full jitter.'),
  OPERATION_DEADLINE_MS: int(1).default(8000).describe("A query's longest wait for a task, queueing and retries included; no attempt starts that could not finish before it."),
  UPSTREAM_QUEUE_LIMIT: int(1).default(1000).describe('Upstream requests waiting for a slot at most; beyond it a request gets `RATE_LIMITED` at once.'),
  AUTH_FAILURE_TTL_MS: int(0).default(5000).describe('How long a 401/403 on a read is remembered for its credential (a bogus token asking for 100 ids costs one upstream call).'),
  BREAKER_WINDOW_MS: int(1).default(10_000).describe("One credential's failures open the shared circuit only if no other credential read within this window."),
  MAX_LIST_LENGTH: int(1).default(1000).describe('Items of a list argument at most, before de-duplication (`BAD_USER_INPUT`).'),
  MAX_TOKEN_BYTES: int(1).default(4096).describe('Longest bearer token; a longer one is `UNAUTHENTICATED` at once and never memoized.'),
  MAX_BUFFERED_BYTES: int(1)
    .default(1 << 20)
    .describe('Unsent bytes per websocket or SSE stream (a client that stops reading); beyond it the websocket closes with 1013 and the SSE stream ends.'),
  BODY_TIMEOUT_MS: int(1)
    .default(10_000)
    .describe('A request (headers and body) must arrive within this; a slower one is answered 408 and its connection closed.'),
  MAX_HTTP_CONNECTIONS_PER_ADDRESS: int(1)
    .default(512)
    .describe('Open TCP connections per client address (HTTP, SSE, websockets); one more is refused. Trusted proxies are not counted.'),
  MAX_SSE_PER_ADDRESS: int(1).default(256).describe('Open SSE streams per client address; one more gets HTTP 429 `RATE_LIMITED`.'),
  RATE_LIMIT_PER_CREDENTIAL: int(0)
    .default(0)
    .describe(
      'Operations per second per credential (each GraphQL HTTP request and each subscription start counts one; clients riding on `UPSTREAM_API_KEY` are counted by address; fleet-wide in fleet mode); beyond it `RATE_LIMITED`. 0: off.',
    ),
  TRUST_PROXY: optionalString
    .refine((v) => v === undefined || /^\d+$/.test(v) || v.split(',').every((e) => isAddressOrRange(e.trim())), {
      message: 'must be a hop count or a comma-separated list of IP addresses and CIDR ranges',
    })
    .describe(
      'Proxies to believe about `X-Forwarded-For`, for every per-address limit: a hop count, or a comma-separated list of proxy addresses and CIDR ranges. Unset: the socket address is the client.',
    ),
  FAST_PATH: bool
    .default(true)
    .describe("The direct JSON-POST path and the websocket frame path; `false` sends HTTP requests through yoga's handler and subscription events through graphql-ws's own send path."),
  BREAKER_THRESHOLD: int(1).default(5).describe('Consecutive failed upstream requests that open the circuit.'),
  BREAKER_COOLDOWN_MS: int(1).default(5000).describe('How long the circuit stays open before a trial request.'),
  POLL_INTERVAL_MS: int(1).default(5000).describe("Base interval of a task's poll loop."),
  POLL_QUEUED_FACTOR: z.coerce.number().positive().default(2).describe('Interval multiplier while a task is SUBMITTED, QUEUED or UNKNOWN.'),
  POLL_IN_PROGRESS_FACTOR: z.coerce.number().positive().default(1).describe('Interval multiplier while a task is IN_PROGRESS.'),
  POLL_JITTER: z.coerce.number().min(0).max(1).default(0.2).describe('Random spread of each interval, as a fraction of it (0 to 1).'),
  MAX_WATCH_MS: int(1).default(30 * 60_000).describe('A subscription ends with `WATCH_TIMEOUT` after watching a task this long.'),
  MAX_POLL_FAILURE_MS: int(0).default(5 * 60_000).describe('A subscription ends with the upstream error after the upstream failed without a break this long.'),
  MAX_SUBSCRIPTIONS_PER_CONNECTION: int(1).default(100).describe('Active subscriptions per websocket.'),
  TASK_CACHE_SIZE: int(1).default(10_000).describe('Finished tasks kept in memory (LRU), per credential and id.'),
  TASK_FRESHNESS_MS: int(0).default(0).describe('How long an unfinished task fetched for a query may be served again.'),
  MAX_TASK_IDS: int(1).max(1000).default(100).describe('Distinct task ids one operation may ask for, across all its fields.'),
  FINGERPRINT_SECRET: optionalString.describe(
    'Key of the HMAC that fingerprints credentials (cache keys, logs, Redis keys). Unset: random per process; required with `REDIS_URL` (the same on every instance).',
  ),
  REDIS_URL: optionalUrl(/^rediss?$/, 'redis://127.0.0.1:6379/0').describe(
    'Turns fleet mode on: instances share leases, task events and finished tasks through this Redis (`rediss://` for TLS). Unset: one process, Redis is never loaded.',
  ),
  LEASE_TTL_MS: int(100).default(15_000).describe("Fleet mode: a lease on a task's poll loop not renewed this long expires, and another instance takes the loop over."),
  FLEET_PREFIX: z.string().min(1).max(64).default('vtg:').describe('Fleet mode: prefix of every Redis key and channel, so that several fleets can share one Redis.'),
  FINAL_TASK_TTL_MS: int(1)
    .default(24 * 3_600_000)
    .describe("How long a finished task is served from a cache (the local one, and the fleet's in Redis): the life of the upstream's signed video URL."),
  MAX_DEPTH: int(1).default(20).describe("Selection depth at most (fragments flattened), introspection included (GraphiQL's needs 15)."),
  MAX_ALIASES: int(0).default(15).describe('Aliases per operation at most.'),
  MAX_TOKENS: int(1).default(1000).describe('Lexical tokens per document at most.'),
  MAX_COST: int(1).default(5000).describe('graphql-armor cost per operation at most.'),
  MAX_DIRECTIVES: int(0).default(10).describe('Directives per operation at most.'),
  BODY_LIMIT_BYTES: int(1).default(1 << 20).describe('Largest request body (and websocket message); larger ones get 413.'),
  WS_INIT_TIMEOUT_MS: int(1).default(3000).describe('A websocket that sends no `connection_init` within this closes with 4408.'),
  MAX_CONNECTIONS_PER_ADDRESS: int(1).default(256).describe('Open websockets per client address.'),
  CORS_ORIGINS: list
    .transform((v) => v?.map((o) => o.replace(/\/+$/, '')))
    .describe('Comma-separated origins allowed for CORS and websocket upgrades, or `*`. Unset: no CORS headers, websockets from any origin.'),
  CREATE_TIMEOUT_MS: int(1).default(30_000).describe('Timeout of one create (`POST`) to the upstream; a create is never retried.'),
  ALLOW_DEFAULT_KEY_CREATE: bool
    .default(false)
    .describe('Let creates use `UPSTREAM_API_KEY` when the client sends no credential (creating spends money). Demo mode turns it on.'),
  IDEMPOTENCY_TTL_MS: int(1).default(24 * 3_600_000).describe('How long an idempotency key is remembered after its create.'),
  IDEMPOTENCY_CACHE_SIZE: int(1).default(10_000).describe('Idempotency keys kept in memory at most (least recently used dropped first).'),
  CORS_MAX_AGE: int(0).default(600).describe('Seconds a browser may keep a CORS preflight answer (`Access-Control-Max-Age`).'),
  CACHE_MAX_AGE_S: int(0)
    .default(60)
    .describe('Longest browser caching (`private, max-age`) of a GET answer about settled tasks, in seconds, never past a signed video link\'s expiry; 0 turns it off.'),
  APQ_CACHE_SIZE: int(1).default(1000).describe('Automatic persisted queries kept registered (LRU), in one process.'),
  APQ_TTL_MS: int(1)
    .default(24 * 3_600_000)
    .describe('Fleet mode: how long an automatic persisted query stays registered in Redis, shared by every instance.'),
  TRUSTED_DOCUMENTS: optionalString.describe(
    'Path of a persisted-documents manifest (codegen\'s `persistedDocuments`): only its operations run, APQ registration and GraphiQL are off.',
  ),
  METRICS_TOKEN: optionalString.describe('When set, `/metrics` wants `Authorization: Bearer <it>`.'),
  SHUTDOWN_TIMEOUT_MS: int(0).default(10_000).describe('How long in-flight requests and closing sockets may take on shutdown.'),
  GRAPHIQL: bool
    .optional()
    .describe('Serve GraphiQL at `/graphql`. Default: on, off when `NODE_ENV=production` or `TRUSTED_DOCUMENTS` is set (there, on also runs operations sent as text).'),
  INTROSPECTION: bool.optional().describe('Answer introspection queries. Default: on, off when `NODE_ENV=production`.'),
  LIVE_PAGE: bool.optional().describe('Serve the live task page at `/`. Default: on in demo mode, off otherwise.'),
  NODE_ENV: optionalString.describe('`production` masks error details and turns GraphiQL and introspection off by default.'),
  LOG_LEVEL: z.enum(logLevels).default('info').describe('One of fatal, error, warn, info, debug, trace, silent.'),
  LOG_FORMAT: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe('`json` lines, or `pretty` colored lines (needs the dev dependency pino-pretty); `auto`: pretty in a terminal outside production, else JSON.'),
  ARCHIVE: z
    .enum(['off', 'local', 's3'])
    .optional()
    .describe('Keep a copy of each finished video: `local` (in `ARCHIVE_DIR`), `s3` (in `ARCHIVE_S3_BUCKET`) or `off`. Default: `local` in a temporary folder in demo mode, `off` otherwise. Outside demo mode it needs `FINGERPRINT_SECRET`.'),
  ARCHIVE_DIR: optionalString.describe('Folder of `ARCHIVE=local` (a volume every instance shares, in a fleet). Unset: a new temporary folder.'),
  ARCHIVE_S3_BUCKET: optionalString.describe('Bucket of `ARCHIVE=s3` (required then); credentials from the standard AWS environment variables.'),
  ARCHIVE_S3_ENDPOINT: optionalUrl(/^https?$/, 'https://s3.example.com').describe("Endpoint of an S3-compatible store. Unset: AWS's."),
  ARCHIVE_S3_REGION: optionalString.describe("Region of the bucket. Unset: `AWS_REGION`, else `us-east-1`."),
  ARCHIVE_S3_FORCE_PATH_STYLE: bool.default(false).describe('Path-style bucket URLs (`endpoint/bucket/key`), as most S3-compatible stores want.'),
  ARCHIVE_S3_REDIRECT: bool.default(false).describe('Serve `/videos/…` links with a redirect to a presigned S3 URL instead of streaming through the gateway.'),
  ARCHIVE_MAX_BYTES: int(1).max(2 ** 31 - 1).default(512 * 1024 * 1024).describe('Largest video archived; a larger one is aborted and recorded as failed (`too_large`).'),
  ARCHIVE_TIMEOUT_MS: int(1).default(300_000).describe('Longest download of one video, redirects and body included.'),
  ARCHIVE_CONCURRENCY: int(1).default(2).describe('Video downloads at once (they do not use the upstream API budget).'),
  ARCHIVE_ALLOWED_HOSTS: list.describe('Comma-separated `host` or `host:port` entries exempt from the download guard (https only, public addresses only).'),
  ARCHIVE_URL_TTL_MS: int(2000).default(3_600_000).describe('Life of a served `archive.url` link; links are minted per half of it.'),
  ARCHIVE_RETENTION_DAYS: z.coerce.number().positive().optional().describe('`ARCHIVE=local` deletes archives older than this (for S3, a bucket lifecycle rule: see the README). Unset: kept.'),
  PUBLIC_URL: optionalUrl(/^https?$/, 'https://gateway.example.com').describe("The gateway's public base URL, for absolute `archive.url` links. Unset: its own listen address."),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(/^https?$/, 'http://127.0.0.1:4318').describe(
    'Turns tracing on: spans go over OTLP/HTTP to `<it>/v1/traces`. Unset (and no traces endpoint): tracing is off and its SDK is not loaded.',
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl(/^https?$/, 'http://127.0.0.1:4318/v1/traces').describe(
    'The full OTLP/HTTP traces URL; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`.',
  ),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf').describe('OTLP encoding of exported spans.'),
  OTEL_SERVICE_NAME: z.string().min(1).default('video-task-gateway').describe('`service.name` of the spans.'),
} satisfies Record<string, z.ZodType>;

type Settings = typeof settings;
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}` : Lowercase<S>;
type Parsed = { [K in keyof Settings as CamelCase<K & string>]: z.output<Settings[K]> };

/** The gateway's settings after validation: each variable in camelCase, plus what follows from them. */
export type Config = Omit<Parsed, 'graphiql' | 'introspection' | 'fingerprintSecret' | 'nodeEnv'> & {
  graphiql: boolean;
  introspection: boolean;
  /** `FINGERPRINT_SECRET`, or a random one made for this process. */
  fingerprintSecret: string;
  /** `NODE_ENV === 'production'`. */
  production: boolean;
};

export function camelCase(name: string): string {
  return name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const envSchema = z.object(settings);

/** An IP address, or a CIDR range with a prefix that fits its family (0-32, 0-128). */
function isAddressOrRange(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32);
}

/** Settings whose values may carry a secret (a password in a URL, a token): never echoed in errors. */
const secretLike = /(_URL|_ENDPOINT|_KEY|_TOKEN|_SECRET)$/;

/** Thrown by {@link loadConfig} with every problem listed, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates the configuration from environment variables.
 * Empty strings count as unset; variables the gateway does not know are ignored.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in settings && v !== undefined && v.trim() !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '?');
      return `  ${key}: ${issue.message}${secretLike.test(key) ? '' : ` (got ${JSON.stringify(cleaned[key])})`}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const data = result.data as Record<string, unknown>;
  const parsed = Object.fromEntries(Object.keys(settings).map((k) => [camelCase(k), data[k]])) as Parsed;
  const { nodeEnv, graphiql, introspection, fingerprintSecret, ...rest } = parsed;
  // Instances that fingerprint a credential differently would neither share its loops nor its cache.
  if (rest.redisUrl && !fingerprintSecret) {
    throw new ConfigError(
      'Invalid configuration:\n  FINGERPRINT_SECRET: must be set when REDIS_URL is (fleet mode): every instance of the fleet must use the same secret, so that they fingerprint credentials alike.',
    );
  }
  const production = nodeEnv === 'production';
  // Links and archives must outlive the process: their keys derive from the fingerprint secret.
  // Demo mode (no UPSTREAM_URL) archives with a random one.
  if (parsed.archive && parsed.archive !== 'off' && parsed.upstreamUrl && !fingerprintSecret) {
    throw new ConfigError('Invalid configuration:\n  FINGERPRINT_SECRET: must be set when ARCHIVE is on (archives and their links are keyed by it) (got undefined)');
  }
  if (parsed.archive === 's3' && !parsed.archiveS3Bucket) throw new ConfigError('Invalid configuration:\n  ARCHIVE_S3_BUCKET: must be set when ARCHIVE=s3 (got undefined)');
  return {
    ...rest,
    // GraphiQL sends documents no manifest lists: with trusted documents only on request.
    graphiql: graphiql ?? (!production && !rest.trustedDocuments),
    introspection: introspection ?? !production,
    fingerprintSecret: fingerprintSecret ?? randomBytes(32).toString('hex'),
    production,
  };
}

/** One row per setting, for the README's table: the variable, its default as text, its description. */
export function settingsTable(): { name: string; defaultValue: string; description: string }[] {
  return Object.entries(settings).map(([name, schema]) => {
    const def = (schema as z.ZodType).def as { type: string; defaultValue?: unknown };
    const defaultValue = def.type === 'default' ? String(def.defaultValue) : '';
    return { name, defaultValue, description: (schema as z.ZodType).description ?? '' };
  });
}
