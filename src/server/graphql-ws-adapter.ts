import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, MessageType, type ServerOptions } from 'graphql-ws';
import { WebSocket, type WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';

/** Close code for a client that does not read what it is sent: "try again later" (RFC 6455), outside graphql-ws's 4400-4504. */
export const SLOW_CONSUMER_CLOSE_CODE = 1013;

/** What each connection's `ctx.extra` starts with. */
export interface AdapterExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  /** Writes a ready-made frame, under the connection's buffer limit (the subscription hub's path). */
  readonly send: (frame: string) => void;
}

export interface GraphQLWsAdapterOptions {
  logger: Logger;
  /** Bytes a connection may have waiting to be sent; past it the socket closes with 1013. @default 1048576 */
  maxBufferedBytes?: number | undefined;
  /** How long a slow consumer has to take its close frame before it is cut off, in ms. @default 1000 */
  slowConsumerGraceMs?: number | undefined;
  /** Ping interval; a socket that does not answer within it is terminated. @default 12000 */
  keepAliveMs?: number | undefined;
}

/** Client-to-server message types of graphql-transport-ws: anything else from a client is its mistake. */
const clientMessageTypes = new Set<string>([MessageType.ConnectionInit, MessageType.Ping, MessageType.Pong, MessageType.Subscribe, MessageType.Complete]);

/**
 * graphql-ws's server core on a `ws` server: the glue of `graphql-ws/use/ws`, with three changes.
 * A client's mistake that graphql-ws throws on (a `next` frame, say) closes that socket with 4400
 * as for any invalid message, not 4500; nothing is written with `console`: failures go to the JSON
 * log; and a connection that does not read what it is sent is closed with 1013 once more than
 * `maxBufferedBytes` wait, its subscriptions ended at once, so that it cannot make the gateway
 * buffer without bound.
 */
export function serveGraphQLWs<E extends object>(options: ServerOptions<Record<string, unknown>, E & AdapterExtra>, wss: WebSocketServer, adapter: GraphQLWsAdapterOptions) {
  const { logger, maxBufferedBytes = 1 << 20, slowConsumerGraceMs = 1000, keepAliveMs = 12_000 } = adapter;
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.on('error', (error) => logger.error({ err: error }, 'The websocket server failed'));

  wss.on('connection', (socket, request) => {
    let ended = false;
    let closed: (code?: number, reason?: string) => Promise<void> = async () => {};
    /** Ends the connection's subscriptions once, whichever comes first: the close event or a slow consumer. */
    const end = (code: number, reason: string) => {
      if (ended) return;
      ended = true;
      clearInterval(pinger);
      closed(code, reason).catch((error: unknown) => logger.error({ err: error }, 'Ending the subscriptions of a websocket failed'));
    };
    const guard = () => {
      if (ended || socket.bufferedAmount <= maxBufferedBytes) return;
      logger.warn({ address: request.socket.remoteAddress, bufferedBytes: socket.bufferedAmount }, 'websocket closed: the client does not read what it is sent');
      socket.close(SLOW_CONSUMER_CLOSE_CODE, 'Slow consumer: too much unsent data');
      end(SLOW_CONSUMER_CLOSE_CODE, 'Slow consumer');
      setTimeout(() => socket.terminate(), slowConsumerGraceMs).unref();
    };
    const send = (frame: string) => {
      if (ended || socket.readyState !== WebSocket.OPEN) return;
      socket.send(frame);
      guard();
    };

    // Errors of a socket are protocol errors of its client (a frame over the size limit, bad
    // framing); `ws` has already closed it with the right code.
    socket.on('error', (error) => logger.debug({ err: error, address: request.socket.remoteAddress }, 'websocket protocol error'));

    let alive = true;
    socket.on('pong', () => (alive = true));
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, keepAliveMs);
    pinger.unref();

    closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (ended || socket.readyState !== WebSocket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
            guard();
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            const text = String(data);
            handle(text).catch((error: unknown) => {
              if (isClientMistake(text)) return socket.close(CloseCode.BadRequest, 'Invalid message received');
              logger.error({ err: error }, 'A websocket message could not be handled');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request, send } as E & AdapterExtra,
    );
    socket.once('close', (code, reason) => end(code, String(reason)));
  });

  return {
    /** Closes every socket with 1001 (going away) and the server; waits for the close handshakes. */
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Whether a message graphql-ws failed on is one no client may send (its own validation let the rest through). */
function isClientMistake(text: string): boolean {
  try {
    const message = JSON.parse(text) as { type?: unknown };
    return typeof message !== 'object' || message === null || typeof message.type !== 'string' || !clientMessageTypes.has(message.type);
  } catch {
    return true;
  }
}
