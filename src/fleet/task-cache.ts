import type { SharedTaskCache } from '../upstream/task-source.js';
import { isFinal, videoTaskStatuses, type VideoTask } from '../upstream/video-task.js';
import { fleetKeys } from './keys.js';
import type { RedisConnection } from './redis.js';

export interface RedisTaskCacheOptions {
  redis: RedisConnection;
  /** @default 'vtg:' */
  prefix?: string | undefined;
  /** How long a finished task is kept, in ms (the life of the upstream's signed video URL). @default 86400000 */
  ttlMs?: number | undefined;
}

/**
 * Finished tasks shared by the fleet: what one instance fetched, another serves at no upstream
 * cost. Keyed by fingerprint and id, like the local cache. Redis trouble is a miss, never an error.
 */
export function createRedisTaskCache({ redis, prefix = 'vtg:', ttlMs = 24 * 3_600_000 }: RedisTaskCacheOptions): SharedTaskCache {
  return {
    async get(key) {
      if (redis.state !== 'ok') return undefined;
      try {
        const final = fleetKeys(prefix, key).final;
        const [[, json], [, ttl]] = (await redis.client.multi().get(final).pttl(final).exec()) as [[unknown, string | null], [unknown, number]];
        if (!json || !(ttl > 0)) return undefined;
        const task = JSON.parse(json) as VideoTask;
        // Whatever else wrote there (another version of the gateway) is a miss.
        const valid = typeof task === 'object' && task !== null && videoTaskStatuses.includes(task.status) && isFinal(task.status);
        return valid ? { task, ttlMs: ttl } : undefined;
      } catch {
        return undefined;
      }
    },
    set(key, task) {
      if (redis.state !== 'ok') return;
      redis.client.set(fleetKeys(prefix, key).final, JSON.stringify(task), 'PX', ttlMs).catch(() => {});
    },
  };
}
