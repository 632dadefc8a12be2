import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AuthResolver } from './auth.js';
import type { ClientAddresses } from './client-address.js';

export interface OperationRateLimitOptions {
  /** Operations per second per key. */
  perSecond: number;
  /**
   * Where the counts live: rate-limiter-flexible's memory store by default; a fleet passes a
   * RateLimiterRedis with the same points and duration to make the limit fleet-wide.
   * @default a RateLimiterMemory
   */
  store?: RateLimiterAbstract | undefined;
}

/** Counts operations per key; `take` resolves with how long to wait (ms) when the key is over its rate, else undefined. */
export interface OperationRateLimit {
  take(key: string): Promise<number | undefined>;
}

/** `RATE_LIMIT_PER_CREDENTIAL`: each GraphQL HTTP request and each subscription start counts one. */
export function createOperationRateLimit({ perSecond, store }: OperationRateLimitOptions): OperationRateLimit {
  const limiter = store ?? new RateLimiterMemory({ points: perSecond, duration: 1, keyPrefix: 'ops' });
  return {
    async take(key) {
      try {
        await limiter.consume(key, 1);
        return undefined;
      } catch (refusal) {
        // The library rejects with its result when over the limit, and with an Error when its store fails.
        if (refusal instanceof RateLimiterRes) return Math.max(1, refusal.msBeforeNext);
        throw refusal;
      }
    },
  };
}

/**
 * The fleet-wide store of {@link createOperationRateLimit}: counts in the fleet's Redis, so that a
 * credential's rate holds across instances. While Redis is unreachable each instance counts on its
 * own (rate-limiter-flexible's insurance limiter) rather than refusing or letting everything through.
 */
export function createFleetRateStore({ client, prefix, perSecond }: { client: Redis; prefix: string; perSecond: number }): RateLimiterAbstract {
  return new RateLimiterRedis({
    storeClient: client,
    points: perSecond,
    duration: 1,
    keyPrefix: `${prefix}ops`,
    insuranceLimiter: new RateLimiterMemory({ points: perSecond, duration: 1, keyPrefix: 'ops' }),
  });
}

export interface RequestRateLimitOptions {
  /** `RATE_LIMIT_PER_CREDENTIAL`; 0 turns the limit off. */
  perSecond: number;
  resolveAuth: AuthResolver;
  addresses: ClientAddresses;
  /** In a fleet the counts live in its Redis, so that the limit is fleet-wide. @default this process's memory */
  fleet?: { redis: { client: Redis }; prefix: string } | undefined;
}

/** The limit as the router and the websockets use it, keyed per request; undefined when off. */
export interface RequestRateLimit extends OperationRateLimit {
  perSecond: number;
  keyOf(req: IncomingMessage): string;
}

/**
 * A client's own token is its key (by fingerprint); clients riding on `UPSTREAM_API_KEY` (or sending
 * none) are told apart by address.
 */
export function createRequestRateLimit({ perSecond, resolveAuth, addresses, fleet }: RequestRateLimitOptions): RequestRateLimit | undefined {
  if (perSecond <= 0) return undefined;
  const store = fleet ? createFleetRateStore({ client: fleet.redis.client, prefix: fleet.prefix, perSecond }) : undefined;
  const { take } = createOperationRateLimit({ perSecond, store });
  return {
    perSecond,
    take,
    keyOf(req) {
      const { credential } = req.headers.authorization ? resolveAuth(req.headers.authorization) : { credential: undefined };
      return credential ? `credential:${credential.fingerprint}` : `address:${addresses.of(req)}`;
    },
  };
}
