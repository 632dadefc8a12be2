import type { ArchiveKey } from './storage.js';
import type { LocalStorage } from './local-storage.js';

export interface RetentionOptions {
  storage: Pick<LocalStorage, 'sweep'>;
  /** ARCHIVE_RETENTION_DAYS: archives older than this are deleted. */
  days: number;
  /** Time between sweeps in ms; the first runs at once. @default 3600000 (1 h) */
  intervalMs?: number | undefined;
  /** Told of each deleted archive, so that memory forgets it too. */
  onRemoved?: ((key: ArchiveKey) => void) | undefined;
  /** Told of a sweep that failed; the next one runs as planned. @default ignores it */
  onError?: ((error: unknown) => void) | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
}

export interface Retention {
  /** Runs one sweep now; resolves with the keys deleted. */
  sweep(): Promise<ArchiveKey[]>;
  dispose(): Promise<void>;
}

/** Deletes local archives older than the retention period, at start and then periodically. */
export function createRetention({ storage, days, intervalMs = 3_600_000, onRemoved, onError = () => {}, now = Date.now }: RetentionOptions): Retention {
  let running: Promise<ArchiveKey[]> | undefined;
  const sweep = () =>
    (running ??= storage
      .sweep(new Date(now() - days * 86_400_000))
      .then((removed) => {
        for (const key of removed) onRemoved?.(key);
        return removed;
      })
      .finally(() => (running = undefined)));
  const tick = () => void sweep().catch(onError);
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    sweep,
    async dispose() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
