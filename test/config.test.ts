import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../src/config.js';

/** The error loadConfig throws for `env`, failing the test when it does not throw one. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('should use the documented defaults when nothing is set', () => {
    const { fingerprintSecret, ...config } = loadConfig({});
    expect(config).toEqual({
      port: 4000,
      host: '127.0.0.1',
      upstreamUrl: undefined,
      upstreamApiKey: undefined,
      upstreamTimeoutMs: 4000,
      upstreamConcurrency: 16,
      pollIntervalMs: 5000,
      pollQueuedFactor: 2,
      pollInProgressFactor: 1,
      pollJitter: 0.2,
      maxWatchMs: 1_800_000,
      maxPollFailureMs: 300_000,
      maxSubscriptionsPerConnection: 100,
      taskCacheSize: 10_000,
      taskFreshnessMs: 0,
      maxTaskIds: 100,
      upstreamRetries: 2,
      operationDeadlineMs: 8000,
      upstreamQueueLimit: 1000,
      authFailureTtlMs: 5000,
      breakerWindowMs: 10_000,
      maxListLength: 1000,
      maxTokenBytes: 4096,
      maxBufferedBytes: 1_048_576,
      bodyTimeoutMs: 10_000,
      maxHttpConnectionsPerAddress: 512,
      maxSsePerAddress: 256,
      rateLimitPerCredential: 0,
      trustProxy: undefined,
      fastPath: true,
      breakerThreshold: 5,
      breakerCooldownMs: 5000,
      metricsToken: undefined,
      shutdownTimeoutMs: 10_000,
      maxDepth: 20,
      maxAliases: 15,
      maxTokens: 1000,
      maxCost: 5000,
      maxDirectives: 10,
      bodyLimitBytes: 1_048_576,
      wsInitTimeoutMs: 3000,
      maxConnectionsPerAddress: 256,
      corsOrigins: undefined,
      corsMaxAge: 600,
      cacheMaxAgeS: 60,
      apqCacheSize: 1000,
      apqTtlMs: 86_400_000,
      trustedDocuments: undefined,
      graphiql: true,
      livePage: undefined,
      introspection: true,
      production: false,
      createTimeoutMs: 30_000,
      idempotencyTtlMs: 86_400_000,
      idempotencyCacheSize: 10_000,
      allowDefaultKeyCreate: false,
      logLevel: 'info',
      logFormat: 'auto',
      otelExporterOtlpEndpoint: undefined,
      otelExporterOtlpTracesEndpoint: undefined,
      otelExporterOtlpTracesProtocol: 'http/protobuf',
      otelServiceName: 'video-task-gateway',
      redisUrl: undefined,
      leaseTtlMs: 15_000,
      fleetPrefix: 'vtg:',
      finalTaskTtlMs: 86_400_000,
      archive: undefined,
      archiveDir: undefined,
      archiveS3Bucket: undefined,
      archiveS3Endpoint: undefined,
      archiveS3Region: undefined,
      archiveS3ForcePathStyle: false,
      archiveS3Redirect: false,
      archiveMaxBytes: 536_870_912,
      archiveTimeoutMs: 300_000,
      archiveConcurrency: 2,
      archiveAllowedHosts: undefined,
      archiveUrlTtlMs: 3_600_000,
      archiveRetentionDays: undefined,
      publicUrl: undefined,
    } satisfies Omit<Config, 'fingerprintSecret'>);
    expect(fingerprintSecret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should make a different random fingerprint secret for each load when none is set', () => {
    expect(loadConfig({}).fingerprintSecret).not.toBe(loadConfig({}).fingerprintSecret);
  });

  it('should read every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      UPSTREAM_URL: 'https://api.example.com',
      UPSTREAM_API_KEY: 'sk-default',
      UPSTREAM_TIMEOUT_MS: '2500',
      UPSTREAM_CONCURRENCY: '4',
      POLL_INTERVAL_MS: '1000',
      POLL_QUEUED_FACTOR: '3',
      POLL_IN_PROGRESS_FACTOR: '0.5',
      POLL_JITTER: '0',
      MAX_WATCH_MS: '60000',
      MAX_POLL_FAILURE_MS: '0',
      MAX_SUBSCRIPTIONS_PER_CONNECTION: '7',
      TASK_CACHE_SIZE: '50',
      TASK_FRESHNESS_MS: '1500',
      MAX_TASK_IDS: '1000',
      UPSTREAM_RETRIES: '0',
      OPERATION_DEADLINE_MS: '3000',
      UPSTREAM_QUEUE_LIMIT: '50',
      AUTH_FAILURE_TTL_MS: '0',
      BREAKER_WINDOW_MS: '2000',
      MAX_LIST_LENGTH: '10',
      MAX_TOKEN_BYTES: '128',
      MAX_BUFFERED_BYTES: '4096',
      BODY_TIMEOUT_MS: '500',
      MAX_HTTP_CONNECTIONS_PER_ADDRESS: '9',
      MAX_SSE_PER_ADDRESS: '8',
      RATE_LIMIT_PER_CREDENTIAL: '20',
      TRUST_PROXY: '10.0.0.0/8, ::1',
      FAST_PATH: 'false',
      BREAKER_THRESHOLD: '2',
      BREAKER_COOLDOWN_MS: '100',
      METRICS_TOKEN: 'm-token',
      SHUTDOWN_TIMEOUT_MS: '500',
      MAX_DEPTH: '5',
      MAX_ALIASES: '3',
      MAX_TOKENS: '200',
      MAX_COST: '100',
      MAX_DIRECTIVES: '2',
      BODY_LIMIT_BYTES: '2048',
      WS_INIT_TIMEOUT_MS: '1000',
      MAX_CONNECTIONS_PER_ADDRESS: '10000',
      CORS_ORIGINS: 'https://app.example, https://admin.example/',
      CORS_MAX_AGE: '30',
      CACHE_MAX_AGE_S: '5',
      APQ_CACHE_SIZE: '10',
      APQ_TTL_MS: '60000',
      TRUSTED_DOCUMENTS: 'manifest.json',
      FINGERPRINT_SECRET: 'pepper',
      GRAPHIQL: 'false',
      LIVE_PAGE: 'true',
      INTROSPECTION: 'false',
      NODE_ENV: 'development',
      CREATE_TIMEOUT_MS: '5000',
      IDEMPOTENCY_TTL_MS: '60000',
      IDEMPOTENCY_CACHE_SIZE: '20',
      ALLOW_DEFAULT_KEY_CREATE: 'true',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'gateway-eu',
      REDIS_URL: 'rediss://user:pw@redis.internal:6380/2',
      LEASE_TTL_MS: '5000',
      FLEET_PREFIX: 'eu:',
      FINAL_TASK_TTL_MS: '3600000',
      ARCHIVE: 's3',
      ARCHIVE_DIR: '/var/lib/videos',
      ARCHIVE_S3_BUCKET: 'videos',
      ARCHIVE_S3_ENDPOINT: 'http://minio:9000/',
      ARCHIVE_S3_REGION: 'eu-west-1',
      ARCHIVE_S3_FORCE_PATH_STYLE: 'true',
      ARCHIVE_S3_REDIRECT: 'yes',
      ARCHIVE_MAX_BYTES: '1000000',
      ARCHIVE_TIMEOUT_MS: '60000',
      ARCHIVE_CONCURRENCY: '4',
      ARCHIVE_ALLOWED_HOSTS: 'cdn.internal, 10.0.0.5:8443',
      ARCHIVE_URL_TTL_MS: '600000',
      ARCHIVE_RETENTION_DAYS: '30',
      PUBLIC_URL: 'https://gateway.example/',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      upstreamUrl: 'https://api.example.com',
      upstreamApiKey: 'sk-default',
      upstreamTimeoutMs: 2500,
      upstreamConcurrency: 4,
      pollIntervalMs: 1000,
      pollQueuedFactor: 3,
      pollInProgressFactor: 0.5,
      pollJitter: 0,
      maxWatchMs: 60_000,
      maxPollFailureMs: 0,
      maxSubscriptionsPerConnection: 7,
      taskCacheSize: 50,
      taskFreshnessMs: 1500,
      maxTaskIds: 1000,
      upstreamRetries: 0,
      operationDeadlineMs: 3000,
      upstreamQueueLimit: 50,
      authFailureTtlMs: 0,
      breakerWindowMs: 2000,
      maxListLength: 10,
      maxTokenBytes: 128,
      maxBufferedBytes: 4096,
      bodyTimeoutMs: 500,
      maxHttpConnectionsPerAddress: 9,
      maxSsePerAddress: 8,
      rateLimitPerCredential: 20,
      trustProxy: '10.0.0.0/8, ::1',
      fastPath: false,
      breakerThreshold: 2,
      breakerCooldownMs: 100,
      metricsToken: 'm-token',
      shutdownTimeoutMs: 500,
      maxDepth: 5,
      maxAliases: 3,
      maxTokens: 200,
      maxCost: 100,
      maxDirectives: 2,
      bodyLimitBytes: 2048,
      wsInitTimeoutMs: 1000,
      maxConnectionsPerAddress: 10_000,
      corsOrigins: ['https://app.example', 'https://admin.example'],
      corsMaxAge: 30,
      cacheMaxAgeS: 5,
      apqCacheSize: 10,
      apqTtlMs: 60_000,
      trustedDocuments: 'manifest.json',
      fingerprintSecret: 'pepper',
      graphiql: false,
      livePage: true,
      introspection: false,
      production: false,
      createTimeoutMs: 5000,
      idempotencyTtlMs: 60_000,
      idempotencyCacheSize: 20,
      allowDefaultKeyCreate: true,
      logLevel: 'debug',
      logFormat: 'json',
      otelExporterOtlpEndpoint: 'http://collector:4318',
      otelExporterOtlpTracesEndpoint: 'http://collector:4318/v1/traces',
      otelExporterOtlpTracesProtocol: 'http/json',
      otelServiceName: 'gateway-eu',
      redisUrl: 'rediss://user:pw@redis.internal:6380/2',
      leaseTtlMs: 5000,
      fleetPrefix: 'eu:',
      finalTaskTtlMs: 3_600_000,
      archive: 's3',
      archiveDir: '/var/lib/videos',
      archiveS3Bucket: 'videos',
      archiveS3Endpoint: 'http://minio:9000',
      archiveS3Region: 'eu-west-1',
      archiveS3ForcePathStyle: true,
      archiveS3Redirect: true,
      archiveMaxBytes: 1_000_000,
      archiveTimeoutMs: 60_000,
      archiveConcurrency: 4,
      archiveAllowedHosts: ['cdn.internal', '10.0.0.5:8443'],
      archiveUrlTtlMs: 600_000,
      archiveRetentionDays: 30,
      publicUrl: 'https://gateway.example',
    } satisfies Config);
  });

  it('should refuse fleet mode (REDIS_URL) without FINGERPRINT_SECRET, naming both', () => {
    const message = configError({ REDIS_URL: 'redis://127.0.0.1:6379' }).message;
    expect(message).toMatch(/FINGERPRINT_SECRET: must be set when REDIS_URL is/);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', FINGERPRINT_SECRET: 's' }).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('should refuse a REDIS_URL that is not redis:// or rediss://', () => {
    expect(configError({ REDIS_URL: 'http://127.0.0.1:6379', FINGERPRINT_SECRET: 's' }).message).toMatch(/REDIS_URL: must be a URL such as redis:/);
  });

  it('should ignore variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', HOME: '/root', PORT: '1234' }).port).toBe(1234);
  });

  it('should accept port 0, which picks a free port', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('should turn GraphiQL and introspection off by default when NODE_ENV is production', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(config).toMatchObject({ production: true, graphiql: false, introspection: false });
  });

  it('should let GRAPHIQL and INTROSPECTION turn them back on in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: '1' })).toMatchObject({ production: true, graphiql: true, introspection: true });
  });

  it('should let GRAPHIQL and INTROSPECTION be set independently', () => {
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'on' })).toMatchObject({ graphiql: true, introspection: false });
    expect(loadConfig({ INTROSPECTION: 'no' })).toMatchObject({ graphiql: true, introspection: false });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
  ])('should read the boolean %j as %s', (value, expected) => {
    expect(loadConfig({ GRAPHIQL: value }).graphiql).toBe(expected);
  });

  it('should not count another NODE_ENV as production', () => {
    expect(loadConfig({ NODE_ENV: 'staging' })).toMatchObject({ production: false, graphiql: true, introspection: true });
  });

  it('should remove a trailing slash from UPSTREAM_URL', () => {
    expect(loadConfig({ UPSTREAM_URL: 'https://api.example.com/' }).upstreamUrl).toBe('https://api.example.com');
  });

  it('should remove every trailing slash from UPSTREAM_URL and keep its path', () => {
    expect(loadConfig({ UPSTREAM_URL: 'http://127.0.0.1:4010/proxy//' }).upstreamUrl).toBe('http://127.0.0.1:4010/proxy');
  });

  it('should trim whitespace around UPSTREAM_URL', () => {
    expect(loadConfig({ UPSTREAM_URL: '  https://api.example.com/ \n' }).upstreamUrl).toBe('https://api.example.com');
  });

  it('should count empty strings as unset', () => {
    const config = loadConfig({ PORT: '', UPSTREAM_URL: '', UPSTREAM_API_KEY: '', GRAPHIQL: '', NODE_ENV: '', LOG_LEVEL: '', FINGERPRINT_SECRET: '' });
    expect(config).toMatchObject({ port: 4000, upstreamUrl: undefined, upstreamApiKey: undefined, graphiql: true, production: false, logLevel: 'info' });
    expect(config.fingerprintSecret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should count undefined values as unset', () => {
    expect(loadConfig({ PORT: undefined, UPSTREAM_URL: undefined }).port).toBe(4000);
  });

  it('should count a whitespace-only UPSTREAM_API_KEY as unset', () => {
    expect(loadConfig({ UPSTREAM_API_KEY: '   ' }).upstreamApiKey).toBeUndefined();
  });

  it('should count whitespace-only numbers as unset instead of reading them as 0', () => {
    const config = loadConfig({ PORT: ' ', UPSTREAM_TIMEOUT_MS: '  ' });
    expect(config.port).toBe(4000);
    expect(config.upstreamTimeoutMs).toBe(4000);
  });

  it('should throw a ConfigError naming every invalid key', () => {
    const error = configError({ PORT: 'abc', UPSTREAM_URL: 'ftp://x' });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('UPSTREAM_URL');
    expect(error.message).toContain('"abc"');
  });

  it('should never echo the value of a URL or secret setting, which may carry a password', () => {
    const message = configError({ REDIS_URL: 'redis//user:hunter2@host', UPSTREAM_URL: 'ftp://user:pw@x', FINGERPRINT_SECRET: 's' }).message;
    expect(message).toContain('REDIS_URL');
    expect(message).toContain('UPSTREAM_URL');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('pw@');
  });

  it('should refuse TRUST_PROXY ranges whose prefix does not fit the address family', () => {
    for (const value of ['10.0.0.0/abc', '10.0.0.0/40', '::1/200', '10.0.0.0/8/1']) {
      expect(configError({ TRUST_PROXY: value }).message, value).toContain('TRUST_PROXY');
    }
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/32, ::1/128' }).trustProxy).toBe('10.0.0.0/32, ::1/128');
  });

  it('should list one problem per line', () => {
    const lines = configError({ PORT: 'abc', LOG_LEVEL: 'loud', POLL_JITTER: '2' }).message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(lines.slice(1).map((line) => line.trim().split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'POLL_JITTER', 'PORT']);
  });

  it('should not mention the keys that are valid', () => {
    const error = configError({ PORT: 'abc', HOST: 'localhost', UPSTREAM_API_KEY: 'sk-secret-key' });
    expect(error.message).not.toContain('HOST');
    expect(error.message).not.toContain('sk-secret-key');
  });

  it.each([
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['UPSTREAM_URL', 'ftp://x'],
    ['UPSTREAM_URL', 'api.example.com'],
    ['UPSTREAM_URL', 'not a url'],
    ['UPSTREAM_TIMEOUT_MS', '0'],
    ['UPSTREAM_CONCURRENCY', '0'],
    ['POLL_INTERVAL_MS', 'fast'],
    ['POLL_QUEUED_FACTOR', '0'],
    ['POLL_JITTER', '1.5'],
    ['POLL_JITTER', '-0.1'],
    ['MAX_POLL_FAILURE_MS', '-1'],
    ['MAX_TASK_IDS', '1001'],
    ['GRAPHIQL', 'maybe'],
    ['INTROSPECTION', 'enabled'],
    ['LOG_LEVEL', 'verbose'],
  ])('should reject %s=%j', (key, value) => {
    expect(configError({ [key]: value }).message).toContain(`${key}:`);
  });
});
