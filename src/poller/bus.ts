/**
 * Where poll loops publish task events and watchers hear them. The in-memory bus serves one
 * process; a multi-instance deployment can put a shared bus (Redis pub/sub, say) behind the same
 * interface without touching the schema. Listeners are per topic and per watcher group, never
 * per subscriber.
 */
export interface EventBus<E> {
  publish(topic: string, event: E): void;
  /** Returns the function that unsubscribes. */
  subscribe(topic: string, listener: (event: E) => void): () => void;
}

/** A synchronous in-process bus: a map of topics to listener sets. */
export function createMemoryBus<E>(): EventBus<E> {
  const topics = new Map<string, Set<(event: E) => void>>();
  return {
    publish(topic, event) {
      const listeners = topics.get(topic);
      if (!listeners) return;
      // A listener may unsubscribe while we iterate (a final event ends its watch).
      for (const listener of [...listeners]) listener(event);
    },
    subscribe(topic, listener) {
      let listeners = topics.get(topic);
      if (!listeners) topics.set(topic, (listeners = new Set()));
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && topics.get(topic) === listeners) topics.delete(topic);
      };
    },
  };
}
