import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { getOperationAST, GraphQLError, type ExecutionArgs } from 'graphql';
import type { OperationResult, Context as WsContext, SubscribeMessage } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocket, WebSocketServer } from 'ws';
import type { FrameSink } from '../context.js';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { codedError, rateLimitedError } from '../schema/errors.js';
import { publicErrors } from '../schema/public-errors.js';
import type { InputCheck } from '../schema/use-input-limits.js';
import { subscriptionWeight } from '../schema/subscription-weight.js';
import type { TrustedDocuments } from '../persisted/trusted-documents.js';
import { authorizationParam, type Auth, type AuthResolver } from './auth.js';
import { trustedQuery } from './use-persisted-operations.js';
import { serveGraphQLWs, type AdapterExtra } from './graphql-ws-adapter.js';

export interface WebSocketOptions {
  server: Server;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  yoga: YogaServerInstance<any, any>;
  resolveAuth: AuthResolver;
  logger: Logger;
  /** Told of the codes of errors sent outside subscription events (validation, limits, query results). */
  countErrors: (codes: string[]) => void;
  /** Told of each operation a socket starts. */
  countOperation: () => void;
  /**
   * Runs a subscription: the grouped one of the subscription hub. Called directly rather than
   * through envelop's subscribe phase, whose per-subscriber result wrapping (masking, abort
   * handling) the hub does once per group instead.
   */
  subscribe: (args: ExecutionArgs) => OperationResult;
  /** Active subscriptions per connection at most. @default 100 */
  maxSubscriptionsPerConnection?: number | undefined;
  /** Open connections per client address at most. @default 256 */
  maxConnectionsPerAddress?: number | undefined;
  /** Origins allowed to open a websocket (requests without an Origin, from non-browsers, always may). @default any */
  allowedOrigins?: readonly string[] | undefined;
  /** A connection that sends no `connection_init` within this closes with 4408. @default 3000 */
  initTimeoutMs?: number | undefined;
  /** Largest message accepted; a larger one closes the socket with 1009. @default 1048576 */
  maxPayloadBytes?: number | undefined;
  /** Checks an operation's input (list lengths, nesting) before it runs; subscriptions here bypass envelop's subscribe hooks. */
  checkInput?: InputCheck | undefined;
  /** Trusted-documents mode: only these operations run, named by `documentId` or `extensions.persistedQuery.sha256Hash`. @default any operation */
  trusted?: TrustedDocuments | undefined;
  /** With `trusted`: operations sent as text without an id run too (GraphiQL on, for development). @default false */
  trustedAllowsText?: boolean | undefined;
  /** Bytes a connection may have waiting to be sent; past it the socket closes with 1013. @default 1048576 */
  maxBufferedBytes?: number | undefined;
  /**
   * Whether the subscription hub writes ready-made `next` frames itself (the frame fast path);
   * false sends every event through graphql-ws's own path (`onNext`, its serialization). @default true
   */
  fastPath?: boolean | undefined;
  /** The client address of an upgrade request (behind `TRUST_PROXY`). @default the socket's peer */
  clientAddress?: ((req: IncomingMessage) => string) | undefined;
  /** `RATE_LIMIT_PER_CREDENTIAL`: each subscription start takes one from its key's rate. @default none */
  rateLimit?: { perSecond: number; take(key: string): Promise<number | undefined> } | undefined;
}

/** What yoga's context factory receives for a websocket operation. */
export interface WebSocketInitialContext {
  auth: Auth;
  sink: FrameSink | undefined;
  operationId: string;
  params: SubscribeMessage['payload'];
  /** The W3C trace context of the operation (its `extensions.traceparent`) or of the upgrade request. */
  traceparent: string | undefined;
}

interface Extra extends AdapterExtra {
  /** What RATE_LIMIT_PER_CREDENTIAL counts this connection's subscriptions under. */
  rateKey?: string;
  auth?: Auth;
  sink?: FrameSink;
  /** What each subscription counts as toward the limit, when more than 1 (a multi-task subscription). */
  weights?: Map<string, number>;
}

/**
 * graphql-ws (`graphql-transport-ws`) on the yoga endpoint's path. Operations go through
 * `yoga.getEnveloped`, so parsing, validation, context, masking and plugins apply to them as
 * to HTTP ones.
 */
export function attachWebSockets({
  server,
  yoga,
  resolveAuth,
  logger,
  countErrors,
  countOperation,
  subscribe,
  maxSubscriptionsPerConnection = 100,
  maxConnectionsPerAddress = 256,
  allowedOrigins,
  initTimeoutMs = 3000,
  maxPayloadBytes = 1 << 20,
  checkInput,
  trusted,
  trustedAllowsText = false,
  maxBufferedBytes = 1 << 20,
  fastPath = true,
  clientAddress = addressOf,
  rateLimit,
}: WebSocketOptions) {
  const perAddress = new Map<string, number>();
  const subscriptionRoot: Enveloped = {
    execute: () => {
      throw new Error('A subscription root cannot execute.');
    },
    subscribe,
  };
  const wss = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    maxPayload: maxPayloadBytes,
    // Refused upgrades get a plain HTTP answer: the socket is never opened.
    verifyClient: ({ origin, req }, done) => {
      if (allowedOrigins && origin && !allowedOrigins.includes(origin)) return done(false, 403, 'Origin not allowed');
      if ((perAddress.get(clientAddress(req)) ?? 0) >= maxConnectionsPerAddress) return done(false, 429, 'Too many connections from this address');
      done(true);
    },
  });
  wss.on('connection', (socket, req) => {
    const address = clientAddress(req);
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  const disposable = serveGraphQLWs<Extra>(
    {
      connectionInitWaitTimeout: initTimeoutMs,
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onConnect(ctx: WsContext<Record<string, unknown>, Extra>) {
        const header = ctx.extra.request.headers.authorization;
        const param = authorizationParam(ctx.connectionParams);
        // An empty value counts as none, so that the upgrade request's header still applies.
        const given = param === '' || param == null ? header : param;
        const auth = resolveAuth(given);
        // A client's own token is its rate key; clients riding on UPSTREAM_API_KEY are told apart by address.
        ctx.extra.rateKey = given && auth.credential ? `credential:${auth.credential.fingerprint}` : `address:${clientAddress(ctx.extra.request)}`;
        // A malformed credential is refused at once; a missing one fails each operation with a code.
        if (auth.problem) {
          logger.debug({ address: ctx.extra.request.socket.remoteAddress }, 'websocket refused: malformed credential');
          return false;
        }
        ctx.extra.auth = auth;
        const { socket, send } = ctx.extra;
        if (fastPath) {
          ctx.extra.sink = {
            get open() {
              return socket.readyState === WebSocket.OPEN;
            },
            send,
          };
        }
        logger.debug({ address: ctx.extra.request.socket.remoteAddress, credential: auth.credential?.fingerprint.slice(0, 8) }, 'websocket connected');
        return true;
      },
      // With the fast path, subscription events bypass these hooks (the hub writes them) and are
      // counted there. Errors go out as clients see them over HTTP: without yoga's internal extensions.
      onNext(_ctx, _id, _payload, args, result) {
        if (!result.errors) return;
        if (args.rootValue !== subscriptionRoot) countErrors(result.errors.map(codeOf));
        return { ...result, errors: publicErrors(result.errors) };
      },
      onError(_ctx, _id, _payload, errors) {
        countErrors(errors.map(codeOf));
        return publicErrors(errors);
      },
      onComplete(ctx: WsContext<Record<string, unknown>, Extra>, id) {
        ctx.extra.weights?.delete(id);
      },
      async onSubscribe(ctx: WsContext<Record<string, unknown>, Extra>, id, payload) {
        countOperation();
        if (logger.isLevelEnabled('debug')) {
          logger.debug({ requestId: `${connectionIdOf(ctx.extra)}:${id}`, operationName: payload.operationName ?? undefined }, 'websocket operation');
        }
        // graphql-ws registers the id before this hook, so the count includes this subscription.
        if (Object.keys(ctx.subscriptions).length > maxSubscriptionsPerConnection) {
          return [codedError(ErrorCode.LimitExceeded, `Too many subscriptions on this connection: at most ${maxSubscriptionsPerConnection}.`)];
        }
        const traceparent = payload.extensions?.traceparent ?? ctx.extra.request.headers.traceparent;
        const initial: WebSocketInitialContext = {
          auth: ctx.extra.auth ?? resolveAuth(undefined),
          params: payload,
          sink: ctx.extra.sink,
          operationId: id,
          traceparent: typeof traceparent === 'string' ? traceparent : undefined,
        };
        const enveloped = yoga.getEnveloped(initial);
        const { schema, contextFactory, parse, validate } = enveloped;
        let document;
        try {
          // graphql-ws wants a `query` string: a persisted operation may send an empty one.
          document = parse(trusted ? trustedQuery(payload, trusted, trustedAllowsText) : payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        let errors: readonly GraphQLError[];
        try {
          errors = validate(schema, document);
        } catch (error) {
          // A rule that throws must cost this operation only, not the whole socket.
          return [error instanceof GraphQLError ? error : codedError(ErrorCode.BadUserInput, 'The operation could not be validated.')];
        }
        if (errors.length > 0) return errors;
        const inputError = checkInput?.(document, payload.variables);
        if (inputError) return [inputError];
        const isSubscription = getOperationAST(document, payload.operationName)?.operation === 'subscription';
        // Every operation counts, queries too: each one can fan out to MAX_TASK_IDS upstream reads.
        if (rateLimit) {
          const wait = await rateLimit.take(ctx.extra.rateKey ?? `address:${clientAddress(ctx.extra.request)}`);
          if (wait !== undefined) return [rateLimitedError(`Too many operations: at most ${rateLimit.perSecond} per second for this credential.`, wait)];
        }
        if (isSubscription) {
          // A multi-task subscription counts as its number of distinct tasks.
          const weight = subscriptionWeight(document, payload.operationName, payload.variables);
          const weights = (ctx.extra.weights ??= new Map());
          if (weight > 1) weights.set(id, weight);
          let used = 0;
          for (const active of Object.keys(ctx.subscriptions)) used += weights.get(active) ?? 1;
          if (used > maxSubscriptionsPerConnection) {
            weights.delete(id);
            return [codedError(ErrorCode.LimitExceeded, `Too many subscriptions on this connection: at most ${maxSubscriptionsPerConnection} (a videoTasksUpdated counts as its number of tasks).`)];
          }
        }
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          // A shared root for subscriptions: nothing per subscriber outlives this hook but its args.
          rootValue: isSubscription ? subscriptionRoot : ({ execute: enveloped.execute, subscribe: enveloped.subscribe } satisfies Enveloped),
        };
        return args;
      },
    },
    wss,
    { logger, maxBufferedBytes },
  );

  return {
    get connections() {
      return wss.clients.size;
    },
    /** Closes every socket with 1001 (going away) and the server; waits for the close handshakes. */
    async dispose() {
      await disposable.dispose();
    },
    /**
     * Closes every socket with `code` without completing its subscriptions: with 1012 (service
     * restart) graphql-ws clients reconnect, through the load balancer, and subscribe again.
     */
    closeAll(code: number, reason: string) {
      for (const socket of wss.clients) socket.close(code, reason);
    },
    /** Drops every socket at once, for when the handshakes take too long. */
    terminate() {
      for (const socket of wss.clients) socket.terminate();
    },
  };
}

const connectionIds = new WeakMap<Extra, string>();

/** A random id per connection, made when first logged: with the operation id, a request id. */
function connectionIdOf(extra: Extra): string {
  let id = connectionIds.get(extra);
  if (!id) connectionIds.set(extra, (id = randomUUID().slice(0, 8)));
  return id;
}

function addressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function codeOf(error: GraphQLError): string {
  return String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
}

interface Enveloped {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}
