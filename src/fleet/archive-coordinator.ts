import type { SettledArchive } from '../archive/archiver.js';
import { createLocalCoordinator, type ArchiveCoordinator } from '../archive/once.js';
import type { RedisConnection } from './redis.js';
import { withFleetCommands } from './scripts.js';

export interface RedisArchiveCoordinatorOptions {
  redis: RedisConnection;
  /** Prepended to every key. @default 'vtg:' */
  prefix?: string | undefined;
  /** This instance's id, unique in the fleet: the lock's value. */
  instanceId: string;
  /** A lock not renewed for this long expires (its holder died) and another instance archives, in ms. @default 30000 */
  lockTtlMs?: number | undefined;
  /** How often a waiting instance looks for the holder's outcome, in ms. @default 500 */
  pollMs?: number | undefined;
  /** How long an outcome stays in Redis for instances that ask late, in ms. @default 3600000 */
  keepMs?: number | undefined;
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * "Download once" across a fleet: the instance that takes the key's lock (`SET NX PX`, renewed
 * while it works) archives and stores the outcome in Redis; the others wait for that outcome,
 * and take over if the lock expires without one (its holder died). Within an instance, callers
 * share one run as with the local coordinator. While Redis is unreachable each instance archives
 * on its own: the store's find-first check and atomic commit keep that safe, only not single.
 */
export function createRedisArchiveCoordinator({ redis, prefix = 'vtg:', instanceId, lockTtlMs = 30_000, pollMs = 500, keepMs = 3_600_000 }: RedisArchiveCoordinatorOptions): ArchiveCoordinator {
  const client = withFleetCommands(redis.client);
  const local = createLocalCoordinator();
  const sleepers = new Set<() => void>();
  let closed = false;
  const keys = (key: string) => ({ lock: `${prefix}{archive:${key}}:lock`, outcome: `${prefix}{archive:${key}}:outcome` });
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  async function holdAndRun(lock: string, outcome: string, work: () => Promise<SettledArchive>): Promise<SettledArchive> {
    const renewer = setInterval(() => void client.eval(RENEW, 1, lock, instanceId, lockTtlMs).catch(() => {}), Math.max(1, Math.floor(lockTtlMs / 3)));
    try {
      const settled = await work();
      if (!closed) await client.set(outcome, JSON.stringify(settled), 'PX', keepMs).catch(() => {});
      return settled;
    } finally {
      clearInterval(renewer);
      await client.vtgRelease(lock, instanceId).catch(() => {});
    }
  }

  async function coordinate(key: string, work: () => Promise<SettledArchive>): Promise<SettledArchive> {
    const { lock, outcome } = keys(key);
    for (;;) {
      if (closed || redis.state !== 'ok') return work();
      try {
        const known = await client.get(outcome);
        if (known) return JSON.parse(known) as SettledArchive;
        if ((await client.set(lock, instanceId, 'PX', lockTtlMs, 'NX')) === 'OK') return await holdAndRun(lock, outcome, work);
      } catch {
        // Redis failed mid-way: archive here rather than wait on it.
        return work();
      }
      await wait(pollMs);
    }
  }

  return {
    once: (key, work) => local.once(key, () => coordinate(key, work)),
    async dispose() {
      closed = true;
      for (const wake of [...sleepers]) wake();
      await local.dispose();
    },
  };
}
