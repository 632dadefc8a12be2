import { createServer, type ServerResponse } from 'node:http';
import { registerFleetMetrics } from './fleet/metrics.js';
import { maskError, type Plugin } from 'graphql-yoga';
import type { Connector, ResolveHost } from './archive/connector.js';
import type { ArchiveCoordinator } from './archive/once.js';
import { archiveOnSuccess } from './archive/service.js';
import { createArchiving } from './archive/setup.js';
import { createRedisArchiveCoordinator } from './fleet/archive-coordinator.js';
import type { Config } from './config.js';
import { createCredentials } from './credential.js';
import { ErrorCode, failure } from './errors.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createPoller } from './poller/poller.js';
import { createPollPolicy } from './poller/policy.js';
import { createAuthResolver } from './server/auth.js';
import { createDirectOperations, type DirectOperations } from './server/direct-operations.js';
import { createLifecycle, type LifecycleState } from './server/lifecycle.js';
import { createLivePage } from './server/live-page.js';
import { createMemoryQueryStore } from './persisted/store.js';
import { createRedisQueryStore } from './fleet/apq-store.js';
import { createHttpCache } from './server/use-http-cache.js';
import { loadTrustedDocuments } from './server/use-persisted-operations.js';
import { createRouter } from './server/router.js';
import { createClientAddresses, parseTrustProxy } from './server/client-address.js';
import { limitConnectionsPerAddress } from './server/connection-limit.js';
import { createRequestRateLimit } from './server/rate-limit.js';
import { createVideoRoute } from './server/videos.js';
import { traceSubscribe, useTracing } from './server/use-tracing.js';
import { attachWebSockets } from './server/websocket.js';
import { createYogaServer } from './server/yoga.js';
import { createSubscriptionHub } from './subscriptions/hub.js';
import { noTracing, type Tracing } from './tracing.js';
import { createBreaker } from './upstream/breaker.js';
import { createUpstreamClient } from './upstream/client.js';
import { createLimiter } from './upstream/limiter.js';
import { withRetries } from './upstream/retry.js';
import { createTaskSource } from './upstream/task-source.js';
import type { Fleet } from './fleet/index.js';
import { readinessOf } from './server/readiness.js';
import { createRedisIdempotencyStore } from './fleet/idempotency.js';
import { createMemoryIdempotencyStore } from './upstream/idempotency.js';
import { createTaskCreator } from './upstream/task-creator.js';
import { createCredentialGate } from './upstream/credential-gate.js';
import { createInputCheck } from './schema/use-input-limits.js';
import { traceFetchTask } from './upstream/traced-fetch.js';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** Demo mode: the upstream is the embedded simulator (turns the live page on by default). @default false */
  demo?: boolean | undefined;
  /** Spans for operations, upstream calls and poll ticks (see tracing.ts). @default none */
  tracing?: Tracing | undefined;
  /** Further yoga plugins; they apply to every transport, the fast paths included. @default none */
  plugins?: Plugin[] | undefined;
  /**
   * The fleet's Redis parts (fleet mode, `REDIS_URL`): leases, the shared bus and the shared cache
   * of finished tasks. The gateway disposes it when it stops. @default one process
   */
  fleet?: Fleet | undefined;
  /** How video downloads resolve names and open sockets (tests keep them on loopback). @default the system's */
  archiveNetwork?: { resolve?: ResolveHost | undefined; connect?: Connector | undefined } | undefined;
  /** Who downloads a video when several want it (a fleet's lock). @default this process, once per task */
  archiveCoordinator?: ArchiveCoordinator | undefined;
}

export interface Gateway {
  /** Listens on `config.host`:`config.port`; resolves with the base URL, e.g. `http://127.0.0.1:4000`. */
  start(): Promise<string>;
  /** The shutdown sequence of server/lifecycle.ts. */
  stop(): Promise<void>;
  readonly state: LifecycleState;
  /** Live counters, for tests. */
  readonly stats: { readonly pollLoops: number; readonly subscriptionGroups: number; readonly subscribers: number; readonly connections: number };
}

/** The composition root: builds the parts and wires them. Requests: server/router.ts; SIGTERM: server/lifecycle.ts. */
export function createGateway({ config, logger, demo = false, tracing = noTracing, plugins = [], fleet, archiveNetwork, archiveCoordinator }: GatewayOptions): Gateway {
  if (!config.upstreamUrl) throw new Error('createGateway needs config.upstreamUrl (index.ts starts the simulator in demo mode).');
  const metrics = createMetrics();
  const resolveAuth = createAuthResolver(createCredentials(config.fingerprintSecret, config.maxTokenBytes), config.upstreamApiKey, config.maxTokenBytes);

  // Upstream: client, budget, breaker, retries, and the task source with its cache.
  const client = createUpstreamClient({ baseUrl: config.upstreamUrl, timeoutMs: config.upstreamTimeoutMs, createTimeoutMs: config.createTimeoutMs, headers: tracing.enabled ? tracing.upstreamHeaders : undefined });
  const limiter = createLimiter({ concurrency: config.upstreamConcurrency, queueLimit: config.upstreamQueueLimit, bind: tracing.enabled ? tracing.bind : undefined });
  const gate = createCredentialGate({ refusalTtlMs: config.authFailureTtlMs });
  metrics.gauge('upstream_queue_length', 'Upstream requests waiting for a slot of UPSTREAM_CONCURRENCY.', () => limiter.queued);
  const breaker = createBreaker({
    threshold: config.breakerThreshold,
    cooldownMs: config.breakerCooldownMs,
    windowMs: config.breakerWindowMs,
    onStateChange: (state) => (state === 'closed' ? logger.info({ breaker: state }, 'Upstream recovered: circuit closed') : logger.warn({ breaker: state }, `Upstream circuit ${state}`)),
    onCredentialStateChange: (fingerprint, state) =>
      logger.warn({ breaker: state, credential: fingerprint.slice(0, 8) }, state === 'open' ? 'Upstream circuit open for one credential' : 'Upstream circuit closed for one credential'),
  });
  metrics.gauge('upstream_breaker_state', 'Upstream circuit breaker: 0 closed, 1 half-open, 2 open.', () => ({ closed: 0, 'half-open': 1, open: 2 })[breaker.state]);
  const upstreamTasks = createTaskSource({
    fetchTask: tracing.enabled ? traceFetchTask(tracing, metrics.instrument(client.fetchTask)) : metrics.instrument(client.fetchTask),
    // The breakers count whole requests (after retries) and fail fast before any queueing; the
    // gate answers for a credential refused lately, and lets an unknown one's first read go alone.
    around: (attempt) => breaker.wrap(withRetries(gate.wrap(attempt), { retries: config.upstreamRetries, onRetry: metrics.countRetry })),
    limiter,
    cacheSize: config.taskCacheSize,
    freshnessMs: config.taskFreshnessMs,
    queryDeadlineMs: config.operationDeadlineMs,
    attemptTimeoutMs: config.upstreamTimeoutMs,
    finalTtlMs: config.finalTaskTtlMs,
    shared: fleet?.tasks,
    onCacheLookup: metrics.countCacheLookup,
  });

  // Creating: never retried, at most once per idempotency key; breakers are consulted, never fed.
  const creator = createTaskCreator({
    createTask: client.createTask,
    limiter,
    breaker,
    // A fleet keeps keys in Redis, so that a repeat on another instance finds them.
    store: fleet ? createRedisIdempotencyStore({ redis: fleet.redis, prefix: fleet.prefix }) : createMemoryIdempotencyStore({ maxEntries: config.idempotencyCacheSize }),
    createTimeoutMs: config.createTimeoutMs,
    ttlMs: config.idempotencyTtlMs,
    // A subscription right after the create starts from the created state, without a poll.
    onCreated: (credential, task) => upstreamTasks.seed(credential, task),
    onStoreError: (error) => logger.error({ err: error }, 'The idempotency store failed: keyed creates are refused'),
  });
  // Archiving: each finished video downloaded once, kept, and served at /videos/<signed token>.
  const archiveMode = config.archive ?? (demo ? 'local' : 'off');
  let listenUrl = '';
  const archiving =
    archiveMode === 'off'
      ? undefined
      : createArchiving({
          mode: archiveMode,
          // In demo mode the upstream is the embedded simulator on loopback, and so are its videos.
          settings: demo ? { ...config, archiveAllowedHosts: [...(config.archiveAllowedHosts ?? []), new URL(config.upstreamUrl).host] } : config,
          registry: metrics.registry,
          baseUrl: () => config.publicUrl ?? listenUrl,
          ...archiveNetwork,
          // In a fleet, one instance downloads each video; the others wait for its outcome.
          coordinator: archiveCoordinator ?? (fleet ? createRedisArchiveCoordinator({ redis: fleet.redis, prefix: fleet.prefix, instanceId: fleet.instanceId }) : undefined),
          onError: (error) => logger.warn({ err: error }, 'Archive retention sweep failed'),
        });
  const tasks = archiving ? archiveOnSuccess(upstreamTasks, archiving.service) : upstreamTasks;

  // Watching: one poll loop per (credential, task), one execution per group of subscribers.
  const poller = createPoller({
    source: tasks,
    policy: createPollPolicy({ intervalMs: config.pollIntervalMs, queuedFactor: config.pollQueuedFactor, inProgressFactor: config.pollInProgressFactor, jitter: config.pollJitter }),
    maxWatchMs: config.maxWatchMs,
    maxPollFailureMs: config.maxPollFailureMs,
    // A fleet: the loop's lease is Redis's, and its events travel through Redis to every instance.
    bus: fleet?.bus,
    ownership: fleet?.ownership,
    leaseRetryMs: Math.min(config.pollIntervalMs, config.leaseTtlMs),
    aroundTick: tracing.enabled ? (tick) => tracing.span('poll tick', { root: true }, tick) : undefined,
    onListenerError: (error) => logger.error({ err: error }, 'A subscription failed to handle a task event'),
  });
  metrics.gauge('poll_loops_active', 'Poll loops running (one per credential and task).', () => poller.activeLoops);
  if (fleet) registerFleetMetrics(metrics, fleet);
  const hub = createSubscriptionHub({
    maskError: (error) => maskError(error, 'Unexpected error.', !config.production) as typeof error,
    countErrors: metrics.countErrors,
    maxQueuedBytes: config.maxBufferedBytes,
    onSlowConsumer: () => logger.warn('SSE subscription ended: the client does not read what it is sent'),
  });
  metrics.gauge('subscriptions_active', 'Active videoTaskUpdated subscriptions.', () => hub.subscribers);
  metrics.gauge('subscription_groups_active', 'Groups of subscriptions sharing one execution per event.', () => hub.groups);

  // Serving: yoga (every transport executes through it), HTTP routes, websockets, lifecycle.
  const checkInput = createInputCheck(config.maxListLength);
  // Persisted operations: APQ registrations, or only the operations a manifest lists.
  const trusted = config.trustedDocuments ? loadTrustedDocuments(config.trustedDocuments) : undefined;
  // In a fleet a query registered through one instance is found by hash on every other.
  const apqStore = fleet
    ? createRedisQueryStore({ redis: fleet.redis, prefix: config.fleetPrefix, ttlMs: config.apqTtlMs })
    : createMemoryQueryStore({ max: config.apqCacheSize });
  const httpCache = createHttpCache({ maxAgeS: config.cacheMaxAgeS, archiveLinkLifeS: Math.floor(config.archiveUrlTtlMs / 2000), varyOrigin: config.corsOrigins !== undefined });
  const yoga = createYogaServer({ config, logger, metrics, resolveAuth, tasks, poller, hub, creator, archive: archiving?.service, checkInput, apqStore, trusted, httpCache, plugins: [...(tracing.enabled ? [useTracing(tracing)] : []), ...plugins] });
  // With trusted documents every request goes through yoga, where the documents are resolved.
  const direct: DirectOperations = trusted
    ? async () => false
    : createDirectOperations({ yoga, resolveAuth, logger, countErrors: metrics.countErrors, observeOperation: metrics.observeOperation });
  // Limits by client: addresses (behind TRUST_PROXY), and operations per second per credential.
  const addresses = createClientAddresses(parseTrustProxy(config.trustProxy));
  const rateLimit = createRequestRateLimit({ perSecond: config.rateLimitPerCredential, resolveAuth, addresses, fleet });
  const eventStreams = fleet ? new Set<ServerResponse>() : undefined;
  const server = createServer(
    // A request must arrive within BODY_TIMEOUT_MS (408 from node), checked every second or sooner.
    { requestTimeout: config.bodyTimeoutMs, headersTimeout: Math.min(60_000, config.bodyTimeoutMs), connectionsCheckingInterval: Math.min(1000, config.bodyTimeoutMs) },
    createRouter({
      yoga,
      direct: config.fastPath ? direct : undefined,
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      readiness: () => readinessOf(lifecycle.state, fleet?.redis.state ?? 'off', breaker.state),
      metrics: { registry: metrics.registry, token: config.metricsToken },
      livePage: (config.livePage ?? demo) ? createLivePage(logger) : undefined,
      clientAddress: addresses.of,
      maxSsePerAddress: config.maxSsePerAddress,
      rateLimit,
      eventStreams,
      videos: archiving
        ? createVideoRoute({
            links: archiving.links,
            archiver: archiving.archiver,
            redirect: config.archiveS3Redirect,
            onError: (error) => logger.warn({ err: error }, 'Serving an archived video failed'),
          })
        : undefined,
    }),
  );
  limitConnectionsPerAddress(server, { max: config.maxHttpConnectionsPerAddress, addresses, logger });
  const ws = attachWebSockets({
    server,
    yoga,
    resolveAuth,
    logger,
    countErrors: metrics.countErrors,
    countOperation: metrics.countWsOperation,
    subscribe: tracing.enabled ? traceSubscribe(tracing, hub.subscribe) : hub.subscribe,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    allowedOrigins: config.corsOrigins?.includes('*') ? undefined : config.corsOrigins,
    initTimeoutMs: config.wsInitTimeoutMs,
    maxPayloadBytes: config.bodyLimitBytes,
    checkInput,
    trusted,
    trustedAllowsText: config.graphiql,
    maxBufferedBytes: config.maxBufferedBytes,
    fastPath: config.fastPath,
    clientAddress: addresses.of,
    rateLimit,
  });
  metrics.gauge('websocket_connections_active', 'Open websocket connections.', () => ws.connections);
  const lifecycle = createLifecycle({
    server,
    host: config.host,
    port: config.port,
    logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    websockets: ws,
    drain: fleet
      ? // Another instance takes over: loops stop and leases go at once, subscriptions are not
        // completed, and clients reconnect (websockets: 1012; SSE: cut without `event: complete`).
        async () => {
          await poller.dispose();
          ws.closeAll(1012, 'Service restart');
          for (const res of eventStreams!) res.destroy();
        }
      : () => poller.dispose(failure(ErrorCode.ShuttingDown, 'The gateway is shutting down: reconnect to continue.')),
    release: async () => {
      await archiving?.dispose();
      await client.dispose();
      await fleet?.dispose();
      await tracing.dispose();
    },
  });

  return {
    async start() {
      listenUrl = await lifecycle.start();
      return listenUrl;
    },
    stop: lifecycle.stop,
    get state() {
      return lifecycle.state;
    },
    stats: {
      get pollLoops() {
        return poller.activeLoops;
      },
      get subscriptionGroups() {
        return hub.groups;
      },
      get subscribers() {
        return hub.subscribers;
      },
      get connections() {
        return ws.connections;
      },
    },
  };
}
