import type { Redis } from 'ioredis';

/**
 * The fleet's Lua scripts, each atomic on the Redis side. ioredis sends them by SHA and falls back
 * to the full script after a Redis restart emptied the script cache.
 */
const scripts = {
  /**
   * KEYS lease, since; ARGV instance, ttl ms, now ms, keep ms. Takes the lease when free (or keeps
   * it when already ours) and returns {watch start, previous holder}; nil when another instance holds it.
   */
  vtgAcquire: {
    numberOfKeys: 2,
    lua: `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
elseif not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return false
end
local since = redis.call('GET', KEYS[2])
local start, previous = ARGV[3], ''
if since then
  local sep = string.find(since, '|', 1, true)
  if sep then start = string.sub(since, 1, sep - 1); previous = string.sub(since, sep + 1) end
end
redis.call('SET', KEYS[2], start .. '|' .. ARGV[1], 'PX', ARGV[4])
return {start, previous}`,
  },
  /** KEYS lease, since, last, seq; ARGV instance, ttl ms, keep ms. 1 when renewed, 0 when lost. */
  vtgRenew: {
    numberOfKeys: 4,
    lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return 1`,
  },
  /** KEYS lease; ARGV instance. Deletes the lease only if it is still ours. */
  vtgRelease: {
    numberOfKeys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
  /**
   * KEYS last, since, seq, channel; ARGV instance, event JSON, keep ms, final (1 or 0). Numbers the
   * event, keeps it as the key's last event (a final one ends the watch: last and since go), and
   * publishes it, in one step: what is stored is always what was published.
   */
  vtgPublish: {
    numberOfKeys: 4,
    lua: `
local seq = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
if ARGV[4] == '1' then
  redis.call('DEL', KEYS[1], KEYS[2])
else
  redis.call('SET', KEYS[1], seq .. ' ' .. ARGV[2], 'PX', ARGV[3])
end
redis.call('PUBLISH', KEYS[4], seq .. ' ' .. ARGV[1] .. ' ' .. ARGV[2])
return seq`,
  },
} as const;

export interface FleetCommands {
  vtgAcquire(lease: string, since: string, instance: string, ttlMs: number, now: number, keepMs: number): Promise<[string, string] | null>;
  vtgRenew(lease: string, since: string, last: string, seq: string, instance: string, ttlMs: number, keepMs: number): Promise<number>;
  vtgRelease(lease: string, instance: string): Promise<number>;
  vtgPublish(last: string, since: string, seq: string, channel: string, instance: string, json: string, keepMs: number, final: 0 | 1): Promise<number>;
}

const defined = new WeakSet<Redis>();

/** The client with the fleet's scripts defined on it (once per client). */
export function withFleetCommands(client: Redis): Redis & FleetCommands {
  if (!defined.has(client)) {
    for (const [name, definition] of Object.entries(scripts)) client.defineCommand(name, definition);
    defined.add(client);
  }
  return client as Redis & FleetCommands;
}
