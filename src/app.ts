import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, maskError, type YogaInitialContext } from 'graphql-yoga';
import type { Config } from './config.js';
import type { Context } from './context.js';
import { createCredentials } from './credential.js';
import { ErrorCode, failure } from './errors.js';
import type { Logger } from './logger.js';
import { createPoller } from './poller/poller.js';
import { createPollPolicy } from './poller/policy.js';
import { schema } from './schema/index.js';
import { createAuthResolver, type Auth } from './server/auth.js';
import { graphiqlOptions } from './server/graphiql.js';
import { attachWebSockets, type WebSocketInitialContext } from './server/websocket.js';
import { createSubscriptionHub } from './subscriptions/hub.js';
import { useGroupedSubscriptions } from './subscriptions/use-grouped-subscriptions.js';
import { createUpstreamClient } from './upstream/client.js';
import { createLimiter } from './upstream/limiter.js';
import { createTaskSource } from './upstream/task-source.js';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** Demo mode: the upstream is the embedded simulator (changes GraphiQL's example headers). @default false */
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
  const credentials = createCredentials(config.fingerprintSecret);
  const resolveAuth = createAuthResolver(credentials, config.upstreamApiKey);
  const client = createUpstreamClient({ baseUrl: config.upstreamUrl, timeoutMs: config.upstreamTimeoutMs });
  const limiter = createLimiter({ concurrency: config.upstreamConcurrency });
  const tasks = createTaskSource({ fetchTask: client.fetchTask, limiter, cacheSize: config.taskCacheSize, freshnessMs: config.taskFreshnessMs });
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
  });
  const isDev = !config.production;
  const hub = createSubscriptionHub({ maskError: (error) => maskError(error, 'Unexpected error.', isDev) as typeof error });

  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    maskedErrors: { isDev },
    logging: {
      debug: (...args) => logger.debug(args.length === 1 ? args[0] : { args }),
      info: (...args) => logger.info(args.length === 1 ? args[0] : { args }),
      warn: (...args) => logger.warn(args.length === 1 ? args[0] : { args }),
      error: (...args) => logger.error(args.length === 1 ? args[0] : { args }),
    },
    ...(config.graphiql ? graphiqlOptions(demo) : { graphiql: false }),
    plugins: [useGroupedSubscriptions(hub), ...(config.introspection ? [] : [useDisableIntrospection()])],
    context: (initial: YogaInitialContext & ServerContext): Context => {
      const auth: Auth = 'auth' in initial && initial.auth ? initial.auth : resolveAuth(initial.request?.headers.get('authorization') ?? undefined);
      return {
        credential: auth.credential,
        credentialProblem: auth.problem,
        tasks,
        poller,
        maxTaskIds: config.maxTaskIds,
        sink: 'sink' in initial ? initial.sink : undefined,
      };
    },
  });

  let stopping = false;
  const server = createServer((req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') return sendJson(res, stopping ? 503 : 200, { status: stopping ? 'shutting down' : 'ready' });
    void yoga(req, res);
  });
  const ws = attachWebSockets({ server, yoga, resolveAuth, maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection });

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
      stopping = true;
      await poller.dispose(failure(ErrorCode.ShuttingDown, 'The gateway is shutting down: reconnect to continue.'));
      // Let graphql-ws send the `complete` frames that the last events triggered before sockets close.
      await new Promise((resolve) => setImmediate(resolve));
      await ws.dispose();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await client.dispose();
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
