/**
 * Where poll loops publish task events and watchers hear them. The in-memory bus serves one
 * process; a fleet puts Redis pub/sub behind the same interface (`src/fleet/bus.ts`). Listeners
 * are per topic and per watcher group, never per subscriber. `publish` delivers to this process's
 * listeners synchronously, whatever else it does.
 */
export interface EventBus<E> {
  publish(topic: string, event: E): void;
  /** Returns the function that unsubscribes. */
  subscribe(topic: string, listener: (event: E) => void): () => void;
  /**
   * The last event published on `topic` by any instance, when the bus keeps it (a shared bus does,
   * for late joiners and for the instance that takes a loop over). @default not kept
   */
  last?: ((topic: string) => Promise<E | undefined>) | undefined;
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
