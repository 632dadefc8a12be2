import type { EventBus } from '../poller/bus.js';
import { fleetKeys } from './keys.js';
import type { RedisConnection } from './redis.js';
import { withFleetCommands } from './scripts.js';

export interface RedisBusOptions<E> {
  redis: RedisConnection;
  /** Prepended to every key and channel. @default 'vtg:' */
  prefix?: string | undefined;
  /** This instance's id: it skips its own messages, which it delivered locally already. */
  instanceId: string;
  /** Whether an event ends its topic's watch (its stored last event is then dropped). */
  isFinal(event: E): boolean;
  /** How long the last event of a topic is kept after its last publish or lease renewal, in ms. @default 45000 */
  keepMs?: number | undefined;
  /** Told of a message that could not be read (never thrown into the subscriber connection). */
  onBadMessage?: ((error: unknown) => void) | undefined;
}

export interface RedisBus<E> extends EventBus<E> {
  last(topic: string): Promise<E | undefined>;
  /** Topics this instance subscribes to in Redis (one channel each, however many watchers). */
  readonly topics: number;
  dispose(): Promise<void>;
}

interface Topic<E> {
  readonly channel: string;
  readonly listeners: Set<(event: E) => void>;
  /** The SUBSCRIBE in flight or done: events published after it resolves reach this instance. */
  readonly subscribed: Promise<unknown>;
  /** Highest event number delivered: an older one (a stored event racing a message) is dropped. */
  seq: number;
}

/**
 * An event bus on Redis pub/sub. `publish` delivers to this instance's listeners at once, then
 * numbers the event, stores it as the topic's last event and publishes it in one script; every
 * other instance delivers it to its own listeners. One Redis channel subscription per topic and
 * instance, never per watcher. While Redis is down, events stay local.
 */
export function createRedisBus<E>({ redis, prefix = 'vtg:', instanceId, isFinal, keepMs = 45_000, onBadMessage = () => {} }: RedisBusOptions<E>): RedisBus<E> {
  const client = withFleetCommands(redis.client);
  const subscriber = redis.subscriber();
  const topics = new Map<string, Topic<E>>();
  const byChannel = new Map<string, Topic<E>>();

  const onMessage = (channel: string, message: string) => {
    const topic = byChannel.get(channel);
    if (!topic) return;
    try {
      const first = message.indexOf(' ');
      const second = message.indexOf(' ', first + 1);
      const seq = Number(message.slice(0, first));
      if (message.slice(first + 1, second) === instanceId || !(seq > topic.seq)) return;
      topic.seq = seq;
      const event = JSON.parse(message.slice(second + 1)) as E;
      for (const listener of [...topic.listeners]) listener(event);
    } catch (error) {
      onBadMessage(error);
    }
  };
  subscriber.on('message', onMessage);
  // Resolves when Redis goes down: nothing waits for a SUBSCRIBE that is queued until it returns.
  const signal = () => {
    let resolve: () => void = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };
  let down = signal();
  const stopListening = redis.onStateChange((state) => {
    if (state === 'down') return down.resolve();
    down = signal();
    // A restarted Redis numbers events from 1 again.
    for (const topic of topics.values()) topic.seq = 0;
  });

  return {
    publish(topic, event) {
      const entry = topics.get(topic);
      if (entry) for (const listener of [...entry.listeners]) listener(event);
      if (redis.state !== 'ok') return;
      const k = fleetKeys(prefix, topic);
      client.vtgPublish(k.last, k.since, k.seq, k.channel, instanceId, JSON.stringify(event), keepMs, isFinal(event) ? 1 : 0).catch(() => {});
    },
    subscribe(name, listener) {
      let topic = topics.get(name);
      if (!topic) {
        const channel = fleetKeys(prefix, name).channel;
        topic = { channel, listeners: new Set(), subscribed: subscriber.subscribe(channel).catch(() => {}), seq: 0 };
        topics.set(name, topic);
        byChannel.set(channel, topic);
      }
      const entry = topic;
      entry.listeners.add(listener);
      return () => {
        entry.listeners.delete(listener);
        if (entry.listeners.size > 0 || topics.get(name) !== entry) return;
        topics.delete(name);
        byChannel.delete(entry.channel);
        subscriber.unsubscribe(entry.channel).catch(() => {});
      };
    },
    async last(name) {
      const topic = topics.get(name);
      if (redis.state !== 'ok') return undefined;
      await Promise.race([topic?.subscribed, down.promise]);
      if (redis.state !== 'ok') return undefined;
      const stored = await client.get(fleetKeys(prefix, name).last);
      if (!stored) return undefined;
      const space = stored.indexOf(' ');
      const seq = Number(stored.slice(0, space));
      if (topic) {
        // Older than an event delivered already: nothing to catch up with.
        if (seq < topic.seq) return undefined;
        topic.seq = seq;
      }
      return JSON.parse(stored.slice(space + 1)) as E;
    },
    get topics() {
      return topics.size;
    },
    async dispose() {
      stopListening();
      subscriber.off('message', onMessage);
      const channels = [...byChannel.keys()];
      topics.clear();
      byChannel.clear();
      if (channels.length > 0) await subscriber.unsubscribe(...channels).catch(() => {});
    },
  };
}
