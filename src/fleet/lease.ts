import type { Lease, LoopOwnership } from '../poller/ownership.js';
import { fleetKeys } from './keys.js';
import type { RedisConnection } from './redis.js';
import { withFleetCommands } from './scripts.js';

export interface RedisOwnershipOptions {
  redis: RedisConnection;
  /** Prepended to every key. @default 'vtg:' */
  prefix?: string | undefined;
  /** This instance's id, unique in the fleet: the lease's value. */
  instanceId: string;
  /** A lease not renewed for this long expires and another instance may take the loop, in ms. @default 15000 */
  ttlMs?: number | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
}

export interface RedisOwnership extends LoopOwnership {
  /** Leases held in Redis. */
  readonly held: number;
  /** Loops this instance runs without a lease, because Redis is unreachable. */
  readonly fallback: number;
  /** Leases taken from another instance (a dead owner's, or one that left). */
  readonly takeovers: number;
  /** Releases every lease (another instance takes over at once) and stops renewing. */
  dispose(): Promise<void>;
}

interface Held {
  readonly onLost: () => void;
  /** Held without Redis: a local fallback loop. */
  local: boolean;
}

/**
 * Loop ownership across a fleet: a lease per (fingerprint, task) in Redis (`SET NX PX`), renewed
 * every third of its TTL and released with compare-and-set scripts. While Redis is unreachable
 * every instance runs the loops of its own watchers (a local fallback); when Redis returns it takes
 * a lease for each or, if another instance got there first, gives the loop up.
 */
export function createRedisOwnership({ redis, prefix = 'vtg:', instanceId, ttlMs = 15_000, now = Date.now }: RedisOwnershipOptions): RedisOwnership {
  const client = withFleetCommands(redis.client);
  // The watch start and the last event outlive the lease a while, for the instance that takes over.
  const keepMs = ttlMs * 3;
  const held = new Map<string, Held>();
  let takeovers = 0;

  async function take(key: string): Promise<Lease | undefined> {
    const k = fleetKeys(prefix, key);
    const result = await client.vtgAcquire(k.lease, k.since, instanceId, ttlMs, now(), keepMs);
    if (!result) return undefined;
    const [start, previous] = result;
    if (previous !== '' && previous !== instanceId) takeovers++;
    const startedAt = Number(start);
    return Number.isFinite(startedAt) ? { startedAt } : {};
  }

  const renewer = setInterval(() => {
    if (redis.state !== 'ok') return;
    for (const [key, h] of held) {
      if (h.local) continue;
      const k = fleetKeys(prefix, key);
      client.vtgRenew(k.lease, k.since, k.last, k.seq, instanceId, ttlMs, keepMs).then(
        (renewed) => {
          if (renewed === 1 || held.get(key) !== h) return;
          held.delete(key);
          h.onLost();
        },
        // Redis went away: the loop goes on locally; `rejoin` takes the lease again.
        () => (h.local = true),
      );
    }
  }, Math.max(1, Math.floor(ttlMs / 3)));
  renewer.unref();

  const rejoin = () => {
    for (const [key, h] of held) {
      if (!h.local) continue;
      take(key).then(
        (lease) => {
          if (held.get(key) !== h) return;
          if (lease) h.local = false;
          else {
            held.delete(key);
            h.onLost();
          }
        },
        () => {},
      );
    }
  };
  const stopListening = redis.onStateChange((state) => {
    if (state === 'ok') rejoin();
    else for (const h of held.values()) h.local = true;
  });

  return {
    async acquire(key, onLost) {
      const h: Held = { onLost, local: true };
      if (redis.state === 'ok') {
        try {
          const lease = await take(key);
          if (!lease) return undefined;
          h.local = false;
          held.set(key, h);
          return lease;
        } catch {
          // Unreachable after all: run the loop locally, below.
        }
      }
      held.set(key, h);
      return {};
    },
    release(key) {
      const h = held.get(key);
      if (!h) return;
      held.delete(key);
      // Also after a fallback: the lease may still be ours if Redis only blinked.
      if (redis.state === 'ok') client.vtgRelease(fleetKeys(prefix, key).lease, instanceId).catch(() => {});
    },
    get held() {
      let n = 0;
      for (const h of held.values()) if (!h.local) n++;
      return n;
    },
    get fallback() {
      let n = 0;
      for (const h of held.values()) if (h.local) n++;
      return n;
    },
    get takeovers() {
      return takeovers;
    },
    async dispose() {
      clearInterval(renewer);
      stopListening();
      const keys = [...held.keys()];
      held.clear();
      if (redis.state !== 'ok') return;
      await Promise.all(keys.map((key) => client.vtgRelease(fleetKeys(prefix, key).lease, instanceId).catch(() => {})));
    },
  };
}
