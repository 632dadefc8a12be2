// Apollo Client 4 against the gateway: queries over HTTP with automatic persisted queries (APQ),
// subscriptions over graphql-ws (GraphQLWsLink; Apollo's multipart HTTP subscriptions are not
// served), and a subscription that comes back by itself after the gateway restarts.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type ErrorLike } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import { TaskUpdates } from '../documents.js';
import type { TaskUpdatesSubscription } from '../gql/graphql.js';

export interface GatewayClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` over HTTP and in graphql-ws's `connectionParams`. */
  token: string;
  /** Hashed queries go as GET (cacheable by the browser); registrations and mutations as POST. @default true */
  useGETForHashedQueries?: boolean | undefined;
  /** A WebSocket implementation where there is no global one (Node 20: `ws`). */
  webSocketImpl?: unknown;
  /** Sees every HTTP request the links make (tests count them). @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
}

export interface GatewayClient {
  apollo: ApolloClient;
  ws: Client;
  dispose(): Promise<void>;
}

export function createGatewayClient({ url, token, useGETForHashedQueries = true, webSocketImpl, fetch }: GatewayClientOptions): GatewayClient {
  const ws = createClient({
    url: url.replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${token}` },
    webSocketImpl,
    // While a gateway restarts, connecting fails (an error event, which graphql-ws does not retry
    // by default) or the socket closes with 1001: retry both, with graphql-ws's backoff.
    retryAttempts: 10,
    shouldRetry: () => true,
  });
  const http = new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch });
  const apq = new PersistedQueryLink({ sha256, useGETForHashedQueries });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    apq.concat(http),
  );
  const apollo = new ApolloClient({ link, cache: new InMemoryCache() });
  return {
    apollo,
    ws,
    async dispose() {
      apollo.stop();
      await ws.dispose();
    },
  };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export type Task = TaskUpdatesSubscription['videoTaskUpdated'];

export interface WatchHandlers {
  next(task: Task): void;
  /** A coded error other than SHUTTING_DOWN ends the watch. */
  error(error: ErrorLike): void;
  /** The task reached SUCCESS or FAILURE. */
  complete(): void;
  /** The gateway went away mid-watch and the subscription is being made again. */
  resubscribing?: (() => void) | undefined;
}

/**
 * Watches a task until it is final. A single gateway process that stops ends each subscription
 * with an error coded SHUTTING_DOWN (then closes the socket with 1001): subscribing again after a
 * short pause picks the watch up on the restarted (or another) gateway, which sends the current
 * state first, so nothing is missed.
 */
export function watchTask(apollo: ApolloClient, id: string, handlers: WatchHandlers, { retryDelayMs = 250 } = {}): () => void {
  let stopped = false;
  let current: { unsubscribe(): void } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const subscribe = () => {
    let shuttingDown = false;
    current = apollo.subscribe({ query: TaskUpdates, variables: { id } }).subscribe({
      next: ({ data, error }) => {
        if (error && isShuttingDown(error)) shuttingDown = true;
        else if (error) handlers.error(error);
        else if (data) handlers.next(data.videoTaskUpdated);
      },
      error: (error: ErrorLike) => (isShuttingDown(error) ? resubscribe() : handlers.error(error)),
      complete: () => (shuttingDown ? resubscribe() : stopped || handlers.complete()),
    });
  };
  const resubscribe = () => {
    if (stopped) return;
    handlers.resubscribing?.();
    timer = setTimeout(subscribe, retryDelayMs);
  };
  subscribe();
  return () => {
    stopped = true;
    clearTimeout(timer);
    current?.unsubscribe();
  };
}

function isShuttingDown(error: ErrorLike): boolean {
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === 'SHUTTING_DOWN');
}
