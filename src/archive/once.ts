import type { SettledArchive } from './archiver.js';

/**
 * "Download once": decides who archives a key when several callers (here: concurrent requests;
 * in fleet mode: several instances) see the same finished task. Whoever runs `work` stores the
 * archive; everyone else gets the same outcome. A fleet implementation takes a shared lock and has
 * the others wait for the holder's outcome (outcomes are plain JSON for that reason).
 */
export interface ArchiveCoordinator {
  once(key: string, work: () => Promise<SettledArchive>): Promise<SettledArchive>;
  dispose(): Promise<void>;
}

/** One process: concurrent callers of the same key share one run. */
export function createLocalCoordinator(): ArchiveCoordinator {
  const running = new Map<string, Promise<SettledArchive>>();
  return {
    once(key, work) {
      let run = running.get(key);
      if (!run) {
        run = work().finally(() => running.delete(key));
        running.set(key, run);
      }
      return run;
    },
    async dispose() {},
  };
}
