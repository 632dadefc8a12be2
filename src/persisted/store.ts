import { LRUCache } from 'lru-cache';

/**
 * Where automatic persisted queries (APQ) are registered: the query text by its SHA-256 hash.
 * Registrations are only a cache (a client whose hash is unknown sends the text again), so a
 * store may forget entries at any time.
 */
export interface PersistedQueryStore {
  get(hash: string): Promise<string | undefined>;
  set(hash: string, query: string): Promise<void>;
}

export interface MemoryQueryStoreOptions {
  /** Registrations kept at most; the least recently used go first. @default 1000 */
  max?: number | undefined;
  /** Characters of query text kept at most, all registrations together. @default 16777216 */
  maxChars?: number | undefined;
}

/** A registration longer than this is not kept: an operation within the token limit is far shorter. */
export const MAX_PERSISTED_QUERY_CHARS = 64 * 1024;

/** A bounded in-process store, for a single gateway process. */
export function createMemoryQueryStore({ max = 1000, maxChars = 16 << 20 }: MemoryQueryStoreOptions = {}): PersistedQueryStore {
  // Bounded by size as well as count: yoga's APQ plugin registers a text before parsing it.
  const queries = new LRUCache<string, string>({ max, maxSize: maxChars, sizeCalculation: (query) => query.length || 1 });
  return {
    get: async (hash) => queries.get(hash),
    set: async (hash, query) => {
      if (query.length <= MAX_PERSISTED_QUERY_CHARS) queries.set(hash, query);
    },
  };
}
