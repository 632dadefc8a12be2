/** What an instance holds while it runs the poll loop of a key. */
export interface Lease {
  /**
   * When the watch of this key started, in ms since the epoch, as recorded by whichever instance
   * started it: MAX_WATCH_MS counts from it across owner changes. @default unknown: the loop's own start
   */
  readonly startedAt?: number | undefined;
}

/**
 * Decides which instance runs the poll loop of a key. In one process the answer is always "this
 * one", at once; a fleet answers with a lease per key (see `src/fleet/`), asynchronously, so that
 * one instance polls and the others only listen on the shared bus.
 */
export interface LoopOwnership {
  /**
   * Tries to take the loop of `key`: a lease, or `undefined` when another instance holds it (the
   * poller tries again later). `onLost` is called when a lease held is lost (another instance took
   * it): the loop must stop.
   */
  acquire(key: string, onLost: () => void): Lease | undefined | Promise<Lease | undefined>;
  /** This instance no longer runs the loop of `key`. */
  release(key: string): void;
}

const always: Lease = {};

/** Every loop is owned by the process that needs it. */
export function createLocalOwnership(): LoopOwnership {
  return { acquire: () => always, release: () => {} };
}
