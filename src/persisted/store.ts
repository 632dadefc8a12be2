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
}

/** A bounded in-process store, for a single gateway process. */
export function createMemoryQueryStore({ max = 1000 }: MemoryQueryStoreOptions = {}): PersistedQueryStore {
  const queries = new LRUCache<string, string>({ max });
  return {
    get: async (hash) => queries.get(hash),
    set: async (hash, query) => void queries.set(hash, query),
  };
}
