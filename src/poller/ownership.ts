/**
 * Decides which instance runs the poll loop of a key. In one process the answer is always "this
 * one"; several instances behind a load balancer can swap in a lease (a Redis `SET NX PX`, say)
 * so that one of them polls and the others only listen on the shared bus.
 */
export interface LoopOwnership {
  /** Whether this instance should run the loop for `key` now. */
  acquire(key: string): boolean;
  /** This instance no longer needs the loop for `key`. */
  release(key: string): void;
}

/** Every loop is owned by the process that needs it. */
export function createLocalOwnership(): LoopOwnership {
  return { acquire: () => true, release: () => {} };
}
