import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, maskError, type YogaInitialContext } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { createCredentials } from './credential.js';
import { ErrorCode, failure } from './errors.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createPoller } from './poller/poller.js';
import { createPollPolicy } from './poller/policy.js';
import { schema } from './schema/index.js';
import { createInputCheck, useInputLimits } from './schema/use-input-limits.js';
import { useTaskIdLimit } from './schema/use-task-id-limit.js';
import { useKnownOperationTypes } from './server/use-known-operation-types.js';
import { createAuthResolver, type Auth } from './server/auth.js';
import { createDirectOperations } from './server/direct-operations.js';
import { graphiqlOptions } from './server/graphiql.js';
import { parseJsonBody, sendJson, serveMetrics } from './server/http.js';
import { createLivePage } from './server/live-page.js';
import { readBody } from './server/read-body.js';
import { useNoIntrospection } from './server/use-no-introspection.js';
import { useCompiledQueries, useOperationLimits } from './server/operation-plugins.js';
import { useOperationLog } from './server/use-operation-log.js';
import { useRefusedStreamCleanup } from './server/use-refused-stream-cleanup.js';
import { attachWebSockets, type WebSocketInitialContext } from './server/websocket.js';
import { createSubscriptionHub } from './subscriptions/hub.js';
import { useGroupedSubscriptions } from './subscriptions/use-grouped-subscriptions.js';
import { createBreaker } from './upstream/breaker.js';
import { createCredentialGate } from './upstream/credential-gate.js';
import { createUpstreamClient } from './upstream/client.js';
import { withRetries } from './upstream/retry.js';
import { createLimiter } from './upstream/limiter.js';
import { createTaskSource } from './upstream/task-source.js';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** Demo mode: the upstream is the embedded simulator (turns the live page on by default). @default false */
  demo?: boolean | undefined;
}

export interface Gateway {
  /** Listens on `config.host`:`config.port`; resolves with the base URL, e.g. `http://127.0.0.1:4000`. */
  start(): Promise<string>;
  /** Ends every subscription with SHUTTING_DOWN, closes every socket, stops every poll loop. */
  stop(): Promise<void>;
  /** Live counters, for metrics and tests. */
  readonly stats: { readonly pollLoops: number; readonly subscriptionGroups: number; readonly subscribers: number; readonly connections: number };
}

type ServerContext = { req: IncomingMessage; res: ServerResponse } | Partial<WebSocketInitialContext>;

/** The composition root: upstream client, poller, schema, yoga, HTTP and websocket servers. */
export function createGateway({ config, logger, demo = false }: GatewayOptions): Gateway {
  if (!config.upstreamUrl) throw new Error('createGateway needs config.upstreamUrl (index.ts starts the simulator in demo mode).');
  const credentials = createCredentials(config.fingerprintSecret, config.maxTokenBytes);
  const resolveAuth = createAuthResolver(credentials, config.upstreamApiKey, config.maxTokenBytes);
  const client = createUpstreamClient({ baseUrl: config.upstreamUrl, timeoutMs: config.upstreamTimeoutMs });
  const limiter = createLimiter({ concurrency: config.upstreamConcurrency, queueLimit: config.upstreamQueueLimit });
  const gate = createCredentialGate({ refusalTtlMs: config.authFailureTtlMs });
  const breaker = createBreaker({
    threshold: config.breakerThreshold,
    cooldownMs: config.breakerCooldownMs,
    windowMs: config.breakerWindowMs,
    onStateChange: (state) => (state === 'closed' ? logger.info({ breaker: state }, 'Upstream recovered: circuit closed') : logger.warn({ breaker: state }, `Upstream circuit ${state}`)),
    onCredentialStateChange: (fingerprint, state) =>
      logger.warn({ breaker: state, credential: fingerprint.slice(0, 8) }, state === 'open' ? 'Upstream circuit open for one credential' : 'Upstream circuit closed for one credential'),
  });
  // Filled in below: the metrics read live counters of parts built after them.
  let stats: Gateway['stats'];
  const metrics = createMetrics({
    pollLoops: () => stats.pollLoops,
    subscriptions: () => stats.subscribers,
    subscriptionGroups: () => stats.subscriptionGroups,
    connections: () => stats.connections,
    breakerState: () => breaker.state,
    upstreamQueue: () => limiter.queued,
  });
  const tasks = createTaskSource({
    fetchTask: metrics.instrument(client.fetchTask),
    // The breakers count whole requests (after retries) and fail fast before any queueing; the
    // gate answers for a credential refused lately, and lets an unknown one's first read go alone.
    around: (attempt) => breaker.wrap(withRetries(gate.wrap(attempt), { retries: config.upstreamRetries, onRetry: metrics.countRetry })),
    limiter,
    cacheSize: config.taskCacheSize,
    freshnessMs: config.taskFreshnessMs,
    queryDeadlineMs: config.operationDeadlineMs,
    attemptTimeoutMs: config.upstreamTimeoutMs,
    onCacheLookup: metrics.countCacheLookup,
  });
  const poller = createPoller({
    source: tasks,
    policy: createPollPolicy({
      intervalMs: config.pollIntervalMs,
      queuedFactor: config.pollQueuedFactor,
      inProgressFactor: config.pollInProgressFactor,
      jitter: config.pollJitter,
    }),
    maxWatchMs: config.maxWatchMs,
    maxPollFailureMs: config.maxPollFailureMs,
    onListenerError: (error) => logger.error({ err: error }, 'A subscription failed to handle a task event'),
  });
  const isDev = !config.production;
  const checkInput = createInputCheck(config.maxListLength);
  const hub = createSubscriptionHub({ maskError: (error) => maskError(error, 'Unexpected error.', isDev) as typeof error, countErrors: metrics.countErrors });

  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    batching: false,
    // The body limit is enforced in front of yoga (see handleGraphQL): cheaper, and it keeps the 413.
    maxRequestBodySize: false,
    // No CORS headers unless origins are configured: same-origin browsers and non-browser clients
    // need none, and yoga's CORS plugin would run on every request.
    cors: !config.corsOrigins ? false : config.corsOrigins.includes('*') ? { origin: '*' } : { origin: config.corsOrigins, credentials: true },
    multipart: false,
    maskedErrors: { isDev },
    logging: {
      debug: (...args) => logger.debug(args.length === 1 ? args[0] : { args }),
      info: (...args) => logger.info(args.length === 1 ? args[0] : { args }),
      warn: (...args) => logger.warn(args.length === 1 ? args[0] : { args }),
      error: (...args) => logger.error(args.length === 1 ? args[0] : { args }),
    },
    ...(config.graphiql ? graphiqlOptions(!config.upstreamApiKey) : { graphiql: false }),
    plugins: [
      useOperationLimits(config),
      useKnownOperationTypes(),
      useInputLimits(checkInput),
      useTaskIdLimit(config.maxTaskIds),
      // Subscriptions keep the hub: it is set after the compiled queries' subscribe function.
      useCompiledQueries(),
      useGroupedSubscriptions(hub),
      useOperationLog({ logger, countErrors: metrics.countErrors, observeOperation: metrics.observeOperation }),
      useRefusedStreamCleanup(),
      ...(config.introspection ? [] : [useNoIntrospection()]),
    ],
    context: (initial: YogaInitialContext & ServerContext): Context => {
      const auth: Auth = 'auth' in initial && initial.auth ? initial.auth : resolveAuth(initial.request?.headers.get('authorization') ?? undefined);
      return {
        credential: auth.credential,
        credentialProblem: auth.problem,
        tasks,
        poller,
        maxTaskIds: config.maxTaskIds,
        sink: 'sink' in initial ? initial.sink : undefined,
        operationId: 'operationId' in initial ? (initial.operationId as string | undefined) : undefined,
        stillWanted: stillWantedBy(initial),
      };
    },
  });

  /** Whether the client of an operation is still connected: its HTTP socket, or its websocket. */
  function stillWantedBy(initial: ServerContext): (() => boolean) | undefined {
    if ('req' in initial && initial.req) {
      const socket = initial.req.socket;
      return () => !socket.destroyed;
    }
    if ('sink' in initial && initial.sink) {
      const sink = initial.sink;
      return () => sink.open;
    }
    return undefined;
  }

  const direct = createDirectOperations({ yoga, resolveAuth, logger, countErrors: metrics.countErrors, observeOperation: metrics.observeOperation });
  const livePage = (config.livePage ?? demo) ? createLivePage() : undefined;
  let stopping = false;
  const server = createServer((req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const status = stopping ? 'shutting down' : breaker.state === 'open' ? 'upstream circuit open' : 'ready';
      return sendJson(res, status === 'ready' ? 200 : 503, { status });
    }
    if (path === '/metrics') return void serveMetrics(req, res, metrics.registry, config.metricsToken);
    if (livePage && req.method === 'GET' && (path === '/' || path === '/live.js')) return void serveLivePage(res, path);
    handleGraphQL(req, res, path).catch((error: unknown) => {
      logger.error({ err: error }, 'A request failed unexpectedly');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });

  async function serveLivePage(res: ServerResponse, path: string): Promise<void> {
    try {
      const asset = await livePage!.asset(path);
      res.writeHead(200, { 'content-type': asset!.type, 'cache-control': 'no-cache' });
      res.end(asset!.body);
    } catch (error) {
      logger.error({ err: error }, 'The live page could not be built');
      sendJson(res, 500, { error: 'The live page could not be built.' });
    }
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, path: string | undefined): Promise<void> {
    if (req.method === 'POST') {
      const body = await readBody(req, config.bodyLimitBytes);
      if (body === null) return void res.destroy();
      if (body === undefined) {
        res.shouldKeepAlive = false;
        return sendJson(res, 413, { errors: [{ message: `Request body too large: at most ${config.bodyLimitBytes} bytes.`, extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }] });
      }
      const parsed = parseJsonBody(req, body);
      if (path === yoga.graphqlEndpoint && (await direct(req, res, parsed))) return;
      // Handing yoga the parsed body skips its per-request body stream (and the AbortController it builds).
      (req as IncomingMessage & { body?: unknown }).body = parsed;
    }
    await yoga(req, res);
  }

  const ws = attachWebSockets({
    server,
    yoga,
    resolveAuth,
    logger,
    countErrors: metrics.countErrors,
    countOperation: metrics.countWsOperation,
    subscribe: hub.subscribe,
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    allowedOrigins: config.corsOrigins?.includes('*') ? undefined : config.corsOrigins,
    initTimeoutMs: config.wsInitTimeoutMs,
    maxPayloadBytes: config.bodyLimitBytes,
    checkInput,
  });
  stats = {
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
  };

  return {
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      return `http://${host}:${port}`;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      // Everything below must be over by SHUTDOWN_TIMEOUT_MS, counted from now.
      let timedOut: () => void = () => {};
      const deadline = new Promise<void>((resolve) => (timedOut = resolve));
      const timer = setTimeout(() => {
        server.closeAllConnections();
        ws.terminate();
        timedOut();
      }, config.shutdownTimeoutMs);
      // Stop accepting; in-flight HTTP requests may finish within the shutdown timeout.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Answered keep-alive connections go idle and would hold close() for the keep-alive timeout:
      // sweep them as they do (cheaper than tracking every response on the hot path).
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 25);
      await poller.dispose(failure(ErrorCode.ShuttingDown, 'The gateway is shutting down: reconnect to continue.'));
      // Let graphql-ws send the `complete` frames that the last events triggered before sockets close.
      await new Promise((resolve) => setImmediate(resolve));
      // Clients have the rest of the timeout to answer the close handshake.
      await Promise.race([ws.dispose(), deadline]);
      await Promise.race([closed, deadline]);
      clearTimeout(timer);
      clearInterval(sweeper);
      await client.dispose();
    },
    stats,
  };
}
