import { MAX_PERSISTED_QUERY_CHARS, type PersistedQueryStore } from '../persisted/store.js';
import type { RedisConnection } from './redis.js';

export interface RedisQueryStoreOptions {
  redis: RedisConnection;
  /** @default 'vtg:' */
  prefix?: string | undefined;
  /** How long a registration is kept after it was last made, in ms. @default 86400000 (a day) */
  ttlMs?: number | undefined;
}

/**
 * APQ registrations shared by the fleet: a query registered through one instance is found by hash
 * on every other. Query texts only (no credential is involved). Redis trouble is a miss (the
 * client then sends the query again), never an error.
 */
export function createRedisQueryStore({ redis, prefix = 'vtg:', ttlMs = 24 * 3_600_000 }: RedisQueryStoreOptions): PersistedQueryStore {
  const key = (hash: string) => `${prefix}apq:${hash}`;
  return {
    async get(hash) {
      if (redis.state !== 'ok') return undefined;
      try {
        return (await redis.client.get(key(hash))) ?? undefined;
      } catch {
        return undefined;
      }
    },
    async set(hash, query) {
      if (redis.state !== 'ok' || query.length > MAX_PERSISTED_QUERY_CHARS) return;
      await redis.client.set(key(hash), query, 'PX', ttlMs).catch(() => {});
    },
  };
}
