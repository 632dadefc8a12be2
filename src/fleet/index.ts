import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { isFinalEvent, type TaskEvent } from '../poller/poller.js';
import type { SharedTaskCache } from '../upstream/task-source.js';
import { createRedisBus, type RedisBus } from './bus.js';
import { createRedisOwnership, type RedisOwnership } from './lease.js';
import { createRedis, type RedisConnection } from './redis.js';
import { createRedisTaskCache } from './task-cache.js';

export { createRedis, type RedisConnection, type RedisState } from './redis.js';

export interface FleetOptions {
  /** `REDIS_URL`. */
  url: string;
  /** `FLEET_PREFIX`: prepended to every key and channel, so that several fleets can share one Redis. @default 'vtg:' */
  prefix?: string | undefined;
  /** `LEASE_TTL_MS`: how long a dead owner's lease blocks a takeover, in ms. @default 15000 */
  leaseTtlMs?: number | undefined;
  /** `FINAL_TASK_TTL_MS`: how long a finished task is shared, in ms. @default 86400000 */
  finalTaskTtlMs?: number | undefined;
  /** How long the start waits for Redis before running degraded (it keeps trying), in ms. @default 3000 */
  connectTimeoutMs?: number | undefined;
  logger?: Logger | undefined;
  /** @default a random id */
  instanceId?: string | undefined;
}

/** The parts a gateway runs as one of a fleet on Redis. */
export interface Fleet {
  /** The connection, for other parts that need Redis (keys there should start with the prefix). */
  readonly redis: RedisConnection;
  readonly prefix: string;
  readonly instanceId: string;
  /** The poller's bus: Redis pub/sub with each key's last event. */
  readonly bus: RedisBus<TaskEvent>;
  /** The poller's loop ownership: a lease per (fingerprint, task). */
  readonly ownership: RedisOwnership;
  /** Finished tasks shared by the fleet. */
  readonly tasks: SharedTaskCache;
  /** Releases every lease at once (others take over), unsubscribes, closes the connections. */
  dispose(): Promise<void>;
}

/** Connects to Redis (without waiting longer than `connectTimeoutMs`) and builds the fleet's parts. */
export async function createFleet({ url, prefix = 'vtg:', leaseTtlMs = 15_000, finalTaskTtlMs = 24 * 3_600_000, connectTimeoutMs = 3000, logger, instanceId = randomUUID() }: FleetOptions): Promise<Fleet> {
  const redis = await createRedis({ url, logger });
  await redis.ready(connectTimeoutMs);
  const ownership = createRedisOwnership({ redis, prefix, instanceId, ttlMs: leaseTtlMs });
  const bus = createRedisBus<TaskEvent>({
    redis,
    prefix,
    instanceId,
    isFinal: isFinalEvent,
    keepMs: leaseTtlMs * 3,
    onBadMessage: (error) => logger?.warn({ err: error }, 'A fleet message could not be read'),
  });
  const tasks = createRedisTaskCache({ redis, prefix, ttlMs: finalTaskTtlMs });
  return {
    redis,
    prefix,
    instanceId,
    bus,
    ownership,
    tasks,
    async dispose() {
      await ownership.dispose();
      await bus.dispose();
      await redis.dispose();
    },
  };
}
