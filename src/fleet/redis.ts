import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export type RedisState = 'ok' | 'down';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port/db`, or `rediss://` for TLS. */
  url: string;
  /** Told once per outage (warn) and once per recovery (info); never the URL's password. */
  logger?: Logger | undefined;
  /** What the connection is for, in its log lines and its Redis client name. @default 'gateway' */
  name?: string | undefined;
  /** Longest wait between reconnection attempts, in ms. @default 1000 */
  maxReconnectDelayMs?: number | undefined;
}

export interface RedisConnection {
  /**
   * The command connection. Commands fail at once while Redis is unreachable (no offline queue):
   * callers fall back to local behaviour instead of piling up requests.
   */
  readonly client: Redis;
  /**
   * A second connection for subscriber mode (a Redis connection that subscribes can send nothing
   * else). Created on first use; it queues its SUBSCRIBEs while down and resubscribes on reconnect.
   */
  subscriber(): Redis;
  /** `ok` while the command connection is ready, `down` otherwise. */
  readonly state: RedisState;
  /** Calls `listener` on every change of `state`; returns the function that stops it. */
  onStateChange(listener: (state: RedisState) => void): () => void;
  /** Resolves once Redis answered, or with `false` after `timeoutMs` (the connection keeps trying). */
  ready(timeoutMs: number): Promise<boolean>;
  dispose(): Promise<void>;
}

/**
 * A Redis connection that other parts can share (the fleet's leases, bus and caches; idempotency
 * keys, rate limits or an APQ store can reuse it). ioredis is loaded here with a dynamic import,
 * so that a gateway without REDIS_URL never loads it.
 */
export async function createRedis({ url, logger, name = 'gateway', maxReconnectDelayMs = 1000 }: RedisConnectionOptions): Promise<RedisConnection> {
  const { Redis } = await import('ioredis');
  const retryStrategy = (times: number) => Math.min(50 * 2 ** Math.min(times, 10), maxReconnectDelayMs);
  const client = new Redis(url, { connectionName: `vtg-${name}`, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy, lazyConnect: false });
  let subscriber: Redis | undefined;
  const listeners = new Set<(state: RedisState) => void>();
  let state: RedisState = 'down';
  // One warning per outage, one line when it ends.
  let warned = false;
  const warnDown = (message: string) => {
    if (warned) return;
    warned = true;
    logger?.warn({ redis: 'down', connection: name }, message);
  };

  const set = (next: RedisState) => {
    if (next === state) return;
    state = next;
    if (next === 'ok' && warned) {
      warned = false;
      logger?.info({ redis: 'ok', connection: name }, 'Redis answers again: rejoining the fleet');
    } else if (next === 'down') warnDown('Redis is unreachable: polling locally for this instance’s watchers until it returns');
    for (const listener of [...listeners]) listener(next);
  };
  client.on('ready', () => set('ok'));
  client.on('close', () => set('down'));
  // Every failed reconnection emits an error; the state change above is the one log line.
  client.on('error', () => {});

  const onStateChange = (listener: (state: RedisState) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  return {
    client,
    subscriber() {
      if (!subscriber) {
        subscriber = client.duplicate({ connectionName: `vtg-${name}-sub`, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true });
        subscriber.on('error', () => {});
      }
      return subscriber;
    },
    get state() {
      return state;
    },
    onStateChange,
    ready(timeoutMs) {
      if (state === 'ok') return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          stop();
          warnDown('Redis is unreachable at start: polling locally for this instance’s watchers until it answers');
          resolve(false);
        }, timeoutMs);
        const stop = onStateChange((next) => {
          if (next !== 'ok') return;
          clearTimeout(timer);
          stop();
          resolve(true);
        });
      });
    },
    async dispose() {
      listeners.clear();
      // QUIT waits for pending replies; a connection that is not ready would wait for ever.
      await Promise.all(
        [client, subscriber].map(async (c) => {
          if (!c) return;
          if (c.status !== 'ready') return c.disconnect();
          await c.quit().catch(() => c.disconnect());
        }),
      );
    },
  };
}
