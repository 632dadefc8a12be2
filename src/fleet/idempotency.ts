import type { Redis } from 'ioredis';
import type { IdempotencyRecord, IdempotencyStore } from '../upstream/idempotency.js';
import type { RedisConnection } from './redis.js';

export interface RedisIdempotencyStoreOptions {
  redis: RedisConnection;
  /** @default 'vtg:' */
  prefix?: string | undefined;
}

interface IdempotencyCommands {
  vtgIdemClaim(key: string, record: string, ttlMs: number): Promise<string | null>;
  vtgIdemRelease(key: string, owner: string): Promise<number>;
}

const scripts = {
  /** KEYS record; ARGV pending JSON, ttl ms. The record already there, or nil after storing the pending one. */
  vtgIdemClaim: {
    numberOfKeys: 1,
    lua: `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`,
  },
  /** KEYS record; ARGV owner. Deletes the record only while it is pending for this owner. */
  vtgIdemRelease: {
    numberOfKeys: 1,
    lua: `
local existing = redis.call('GET', KEYS[1])
if not existing then return 0 end
local ok, record = pcall(cjson.decode, existing)
if ok and type(record) == 'table' and record.state == 'pending' and record.owner == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
} as const;

const defined = new WeakSet<Redis>();

function withCommands(client: Redis): Redis & IdempotencyCommands {
  if (!defined.has(client)) {
    for (const [name, definition] of Object.entries(scripts)) client.defineCommand(name, definition);
    defined.add(client);
  }
  return client as Redis & IdempotencyCommands;
}

/**
 * Idempotency keys shared by the fleet: a repeat on another instance finds the create (or its
 * pending marker) here. Keys hold a credential fingerprint and a hash of the client's key, values
 * the input hash and the created task: never a token. Commands reject while Redis is unreachable,
 * so that keyed creates are refused instead of risking a double charge.
 */
export function createRedisIdempotencyStore({ redis, prefix = 'vtg:' }: RedisIdempotencyStoreOptions): IdempotencyStore {
  const keyOf = (key: string) => `${prefix}idem:{${key}}`;
  const parse = (json: string | null): IdempotencyRecord | undefined => {
    if (json === null) return undefined;
    const record = JSON.parse(json) as IdempotencyRecord;
    if (typeof record !== 'object' || record === null || !['pending', 'created', 'unknown'].includes(record.state) || typeof record.input !== 'string') {
      throw new Error('An idempotency record in Redis has an unexpected shape.');
    }
    return record;
  };
  return {
    async claim(key, record, ttlMs) {
      return parse(await withCommands(redis.client).vtgIdemClaim(keyOf(key), JSON.stringify(record), ttlMs));
    },
    async get(key) {
      return parse(await redis.client.get(keyOf(key)));
    },
    async settle(key, record, ttlMs) {
      await redis.client.set(keyOf(key), JSON.stringify(record), 'PX', ttlMs);
    },
    async release(key, owner) {
      await withCommands(redis.client).vtgIdemRelease(keyOf(key), owner);
    },
    // The connection belongs to the fleet.
    async dispose() {},
  };
}
