import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import type { Config } from '../config.js';
import type { ArchiveService } from '../archive/service.js';
import type { Context } from '../context.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Poller } from '../poller/poller.js';
import { schema } from '../schema/index.js';
import { useInputLimits, type InputCheck } from '../schema/use-input-limits.js';
import { useTaskIdLimit } from '../schema/use-task-id-limit.js';
import type { SubscriptionHub } from '../subscriptions/hub.js';
import { useGroupedSubscriptions } from '../subscriptions/use-grouped-subscriptions.js';
import type { TaskCreator } from '../upstream/task-creator.js';
import type { TaskSource } from '../upstream/task-source.js';
import type { Auth, AuthResolver } from './auth.js';
import { graphiqlOptions } from './graphiql.js';
import { useCompiledQueries, useOperationLimits } from './operation-plugins.js';
import { useNoIntrospection } from './use-no-introspection.js';
import { useKnownOperationTypes } from './use-known-operation-types.js';
import { useOperationLog } from './use-operation-log.js';
import { useRefusedStreamCleanup } from './use-refused-stream-cleanup.js';
import type { PersistedQueryStore } from '../persisted/store.js';
import type { TrustedDocuments } from '../persisted/trusted-documents.js';
import type { HttpCache } from './use-http-cache.js';
import { useAutomaticPersistedQueries, useTrustedDocuments } from './use-persisted-operations.js';
import type { WebSocketInitialContext } from './websocket.js';

type ServerContext = { req: IncomingMessage; res: ServerResponse } | Partial<WebSocketInitialContext>;

export interface YogaServerOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  resolveAuth: AuthResolver;
  tasks: TaskSource;
  poller: Poller;
  hub: SubscriptionHub;
  creator: TaskCreator;
  /** Set when archiving is on: `VideoTask.archive`. */
  archive?: ArchiveService | undefined;
  /** Checks list lengths and variable nesting of an operation's input. */
  checkInput: InputCheck;
  /** Where automatic persisted queries are registered (unused with `trusted`). */
  apqStore: PersistedQueryStore;
  /** Trusted-documents mode: only these operations run. @default any operation */
  trusted?: TrustedDocuments | undefined;
  /** Caching headers of GET answers, and what GET operations read. */
  httpCache: HttpCache;
  /** Plugins that go first (tracing). @default none */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  plugins?: Plugin<any>[] | undefined;
}

/** yoga with our plugins and context: what every transport executes operations through. */
export function createYogaServer({ config, logger, metrics, resolveAuth, tasks, poller, hub, creator, archive, checkInput, apqStore, trusted, httpCache, plugins = [] }: YogaServerOptions) {
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => logger[level](args.length === 1 ? args[0] : { args });
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    batching: false,
    // The body limit is enforced in front of yoga (see router.ts): cheaper, and it keeps the 413.
    maxRequestBodySize: false,
    // No CORS headers unless origins are configured: same-origin browsers and non-browser clients
    // need none, and yoga's CORS plugin would run on every request.
    // Preflights are kept for CORS_MAX_AGE; scripts on other origins may read the request id.
    cors: !config.corsOrigins
      ? false
      : {
          ...(config.corsOrigins.includes('*') ? { origin: '*' } : { origin: config.corsOrigins, credentials: true }),
          maxAge: config.corsMaxAge,
          exposedHeaders: ['x-request-id'],
        },
    multipart: false,
    maskedErrors: { isDev: !config.production },
    logging: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    ...(config.graphiql ? graphiqlOptions(!config.upstreamApiKey) : { graphiql: false }),
    plugins: [
      ...plugins,
      // Persisted operations become plain ones first, so that everything below sees a query.
      trusted ? useTrustedDocuments(trusted, config.graphiql) : useAutomaticPersistedQueries(apqStore),
      httpCache.plugin,
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
        usesDefaultKey: auth.isDefault,
        tasks: httpCache.track(initial.request, auth.credential, tasks),
        poller,
        creator,
        allowDefaultKeyCreate: config.allowDefaultKeyCreate,
        maxTaskIds: config.maxTaskIds,
        archive,
        sink: 'sink' in initial ? initial.sink : undefined,
        operationId: 'operationId' in initial ? (initial.operationId as string | undefined) : undefined,
        stillWanted: stillWantedBy(initial),
      };
    },
  });
}

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

export type YogaServer = ReturnType<typeof createYogaServer>;
