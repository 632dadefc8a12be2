// @urql/core 6 against the gateway, with either subscription transport: graphql-ws (one socket for
// every subscription of a page) or SSE over fetch (`fetchSubscriptions`: plain HTTP, no socket).
import { Client, fetchExchange, subscriptionExchange, type Exchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

export interface UrqlOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` (over graphql-ws, in `connectionParams`). */
  token: string;
  /** `ws`: subscriptions over graphql-ws; `sse`: over fetch as server-sent events. */
  subscriptions: 'ws' | 'sse';
  /** A WebSocket implementation where there is no global one (Node 20: `ws`). */
  webSocketImpl?: unknown;
}

export function createUrqlClient({ url, token, subscriptions, webSocketImpl }: UrqlOptions): { client: Client; dispose(): Promise<void> } {
  const authorization = `Bearer ${token}`;
  let ws: WsClient | undefined;
  const exchanges: Exchange[] = [fetchExchange];
  if (subscriptions === 'ws') {
    const socket = (ws = createWsClient({ url: url.replace(/^http/, 'ws'), connectionParams: { authorization }, webSocketImpl }));
    exchanges.push(
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    );
  }
  const client = new Client({
    url,
    exchanges,
    // With SSE, subscriptions go through fetchExchange, which streams `text/event-stream`.
    fetchSubscriptions: subscriptions === 'sse',
    fetchOptions: { headers: { authorization } },
    preferGetMethod: false,
  });
  return { client, dispose: async () => ws?.dispose() };
}
