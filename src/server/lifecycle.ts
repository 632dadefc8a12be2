import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

export type LifecycleState = 'starting' | 'ready' | 'shutting down' | 'stopped';

export interface LifecycleOptions {
  server: Server;
  host: string;
  port: number;
  logger: Logger;
  /** Everything below must be over by then, counted from the start of `stop`. */
  shutdownTimeoutMs: number;
  /** The websocket server: closed gracefully, or terminated at the deadline. */
  websockets: { dispose(): Promise<void>; terminate(): void };
  /**
   * Step 2 of a shutdown: end what clients are watching and stop polling (in one process,
   * subscriptions end with `SHUTTING_DOWN`).
   */
  drain: () => Promise<void>;
  /** Step 5: release what outlives the sockets (upstream connections, exporters). */
  release: () => Promise<void>;
}

export interface Lifecycle {
  readonly state: LifecycleState;
  /** Listens; resolves with the base URL, e.g. `http://127.0.0.1:4000`. */
  start(): Promise<string>;
  /** The shutdown sequence; idempotent (a second call waits for the first). */
  stop(): Promise<void>;
}

/**
 * What happens on SIGTERM, in order:
 * 1. readiness turns 503 (`shutting down`) and the server stops accepting connections; idle
 *    keep-alive connections are closed as they go idle;
 * 2. `drain`: subscriptions end, poll loops stop;
 * 3. the websockets close (graphql-ws sends the last frames first), clients answering the close
 *    handshake within the timeout;
 * 4. in-flight HTTP requests finish;
 * 5. `release`.
 * At `shutdownTimeoutMs` every remaining connection and socket is cut, and the sequence goes on.
 */
export function createLifecycle({ server, host, port, logger, shutdownTimeoutMs, websockets, drain, release }: LifecycleOptions): Lifecycle {
  let state: LifecycleState = 'starting';
  let stopping: Promise<void> | undefined;

  async function shutdown(): Promise<void> {
    state = 'shutting down';
    let timedOut: () => void = () => {};
    const deadline = new Promise<void>((resolve) => (timedOut = resolve));
    const timer = setTimeout(() => {
      logger.warn({ shutdownTimeoutMs }, 'Shutdown timeout reached: cutting the remaining connections');
      server.closeAllConnections();
      websockets.terminate();
      timedOut();
    }, shutdownTimeoutMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Answered keep-alive connections go idle and would hold close() for the keep-alive timeout:
    // sweep them as they do (cheaper than tracking every response on the hot path).
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 25);
    try {
      await drain();
      // Let graphql-ws send the `complete` frames that the last events triggered before sockets close.
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.race([websockets.dispose(), deadline]);
      await Promise.race([closed, deadline]);
    } finally {
      clearTimeout(timer);
      clearInterval(sweeper);
      await release();
      state = 'stopped';
    }
  }

  return {
    get state() {
      return state;
    },
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      state = 'ready';
      const { address, port: bound } = server.address() as AddressInfo;
      return `http://${address.includes(':') ? `[${address}]` : address}:${bound}`;
    },
    stop() {
      return (stopping ??= shutdown());
    },
  };
}
