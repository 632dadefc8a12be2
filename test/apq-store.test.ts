import { describe, expect, it } from 'vitest';
import { createRedisQueryStore } from '../src/fleet/apq-store.js';
import { createRedis } from '../src/fleet/redis.js';
import { createMemoryQueryStore, MAX_PERSISTED_QUERY_CHARS } from '../src/persisted/store.js';
import { onDispose, waitFor } from './helpers.js';
import { startRedis } from './redis-server.js';

async function connect(url: string) {
  const redis = await createRedis({ url, maxReconnectDelayMs: 50 });
  onDispose(() => redis.dispose());
  expect(await redis.ready(5000)).toBe(true);
  return redis;
}

describe('the APQ stores', () => {
  it('should keep at most max registrations in memory, dropping the least recently used', async () => {
    const store = createMemoryQueryStore({ max: 2 });
    await store.set('a', '{ a }');
    await store.set('b', '{ b }');
    expect(await store.get('a')).toBe('{ a }');
    await store.set('c', '{ c }');
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('{ a }');
    expect(await store.get('c')).toBe('{ c }');
  });

  it('should bound memory by size too: a huge registration is not kept, and many big ones push old ones out', async () => {
    const store = createMemoryQueryStore({ max: 1000, maxChars: 100_000 });
    await store.set('huge', `{ a }${' '.repeat(MAX_PERSISTED_QUERY_CHARS)}`);
    expect(await store.get('huge')).toBeUndefined();
    for (let i = 0; i < 10; i++) await store.set(`big-${i}`, `{ a }${' '.repeat(20_000)}`);
    const kept = (await Promise.all(Array.from({ length: 10 }, (_, i) => store.get(`big-${i}`)))).filter(Boolean);
    expect(kept.length).toBeLessThanOrEqual(4);
    expect(await store.get('big-9')).toBeDefined();
  });

  it('should share registrations between instances through Redis, with a TTL', async () => {
    const server = await startRedis();
    const one = createRedisQueryStore({ redis: await connect(server.url), ttlMs: 60_000 });
    const otherConnection = await connect(server.url);
    const other = createRedisQueryStore({ redis: otherConnection, ttlMs: 60_000 });
    await one.set('abc', '{ videoTask(id: "x") { id } }');
    expect(await other.get('abc')).toBe('{ videoTask(id: "x") { id } }');
    const ttl = await otherConnection.client.pttl('vtg:apq:abc');
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await other.get('unknown')).toBeUndefined();
  });

  it('should answer a miss, not an error, while Redis is down', async () => {
    const server = await startRedis();
    const redis = await connect(server.url);
    const store = createRedisQueryStore({ redis });
    await store.set('h', '{ h }');
    await server.kill();
    await waitFor(() => redis.state === 'down', { message: 'the connection to notice' });
    expect(await store.get('h')).toBeUndefined();
    await expect(store.set('h2', '{ h2 }')).resolves.toBeUndefined();
  });
});
