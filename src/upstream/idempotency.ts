import { LRUCache } from 'lru-cache';
import type { VideoTask } from './video-task.js';

/**
 * What is known about a create made with an idempotency key. `input` is the hash of the input's
 * canonical JSON: the same key with another input is a mistake of the client.
 */
export type IdempotencyRecord =
  /** A create is in flight; `owner` names the attempt, so that only it may release the key. */
  | { readonly state: 'pending'; readonly input: string; readonly owner: string }
  /** The upstream created this task. */
  | { readonly state: 'created'; readonly input: string; readonly task: VideoTask }
  /** The create was sent and its outcome is unknown: the task may exist. */
  | { readonly state: 'unknown'; readonly input: string };

/**
 * Where idempotency keys live: in memory for one process, or in a shared store (Redis) for a
 * fleet. Keys are opaque strings built from a credential fingerprint and a hash of the client's
 * key: no token ever reaches a store. Methods may reject when the store is unreachable; callers
 * then refuse keyed creates rather than risk a double charge.
 */
export interface IdempotencyStore {
  /**
   * Records `record` (a pending one) under `key` unless a record is there, atomically.
   * Resolves with the record already there, or `undefined` when this call claimed the key.
   */
  claim(key: string, record: Extract<IdempotencyRecord, { state: 'pending' }>, ttlMs: number): Promise<IdempotencyRecord | undefined>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Replaces the record under `key` (the outcome of the create that claimed it). */
  settle(key: string, record: Exclude<IdempotencyRecord, { state: 'pending' }>, ttlMs: number): Promise<void>;
  /** Forgets `key` if it is still pending for `owner` (the upstream refused the create). */
  release(key: string, owner: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** Keys kept at most; the least recently used go first. @default 10000 */
  maxEntries?: number | undefined;
}

/** A bounded in-process store: an LRU map with a TTL per record. */
export function createMemoryIdempotencyStore({ maxEntries = 10_000 }: MemoryIdempotencyStoreOptions = {}): IdempotencyStore {
  const records = new LRUCache<string, IdempotencyRecord>({ max: maxEntries });
  return {
    async claim(key, record, ttlMs) {
      const existing = records.get(key);
      if (existing) return existing;
      records.set(key, record, { ttl: ttlMs });
      return undefined;
    },
    async get(key) {
      return records.get(key);
    },
    async settle(key, record, ttlMs) {
      records.set(key, record, { ttl: ttlMs });
    },
    async release(key, owner) {
      const existing = records.peek(key);
      if (existing?.state === 'pending' && existing.owner === owner) records.delete(key);
    },
    async dispose() {
      records.clear();
    },
  };
}
