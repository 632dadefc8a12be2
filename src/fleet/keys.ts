/**
 * The Redis keys of one poller key (`<fingerprint>:<task id>`). The hash tag `{…}` puts every key
 * of a (credential, task) on one Redis Cluster shard, so that the scripts touching several of them
 * stay valid on a Cluster. Only fingerprints go in them, never tokens.
 */
export function fleetKeys(prefix: string, key: string) {
  const tag = `${prefix}{${key}}`;
  return {
    /** The instance running the loop: `SET NX PX`, renewed and released by compare-and-set. */
    lease: `${tag}:lease`,
    /** `<ms since epoch>|<instance>`: when the watch started and who last held the lease. */
    since: `${tag}:since`,
    /** `<seq> <event JSON>`: the last event published, for late joiners and takeovers. */
    last: `${tag}:last`,
    /** The event counter: watchers drop an event older than one they already have. */
    seq: `${tag}:seq`,
    /** The shared cache of a finished task. */
    final: `${tag}:final`,
    /** The pub/sub channel of the key's events. */
    channel: `${tag}:events`,
  };
}
