import { LRUCache } from 'lru-cache';
import type { Downloader } from './downloader.js';
import { ArchiveError, findArchiveError, type ArchiveFailureReason } from './errors.js';
import { createLocalCoordinator, type ArchiveCoordinator } from './once.js';
import { archivePath, type ArchiveKey, type ArchiveMeta, type ArchiveStorage, type PendingWrite } from './storage.js';

/** An archive that will not change any more. */
export type SettledArchive = { status: 'ARCHIVED'; meta: ArchiveMeta } | { status: 'FAILED'; reason: ArchiveFailureReason; error: string };

export type ArchiveState = { status: 'PENDING' } | SettledArchive;

/** Hooks for metrics. */
export interface ArchiverObserver {
  /** A download began (not counted: archives found in the store). */
  started?(): void;
  archived?(sizeBytes: number, seconds: number): void;
  failed?(reason: ArchiveFailureReason): void;
}

export interface ArchiverOptions {
  storage: ArchiveStorage;
  downloader: Downloader;
  /** ARCHIVE_CONCURRENCY: downloads at once in this process. @default 2 */
  concurrency?: number | undefined;
  /** Retries of a transient failure (network, timeout, 5xx, storage). @default 3 */
  retries?: number | undefined;
  /** First retry delay in ms, doubled each time, with full jitter. @default 1000 */
  retryDelayMs?: number | undefined;
  /** Who downloads when several want the same archive. @default this process, once per key */
  coordinator?: ArchiveCoordinator | undefined;
  /** States remembered in memory; an evicted one is looked up in the store again. @default 10000 */
  cacheSize?: number | undefined;
  observer?: ArchiverObserver | undefined;
  /** @default Date.now */
  now?: (() => number) | undefined;
}

export interface Archiver {
  /** Starts archiving `videoUrl` for `key` unless done or under way, and returns the state now. */
  request(key: ArchiveKey, videoUrl: string): ArchiveState;
  /** The outcome of the archive of `key`, starting it if needed. */
  settled(key: ArchiveKey, videoUrl: string): Promise<SettledArchive>;
  /** The metadata of a stored archive, from memory or the store: for serving it. */
  find(key: ArchiveKey): Promise<ArchiveMeta | undefined>;
  /** Drops what memory knows of `key` (its archive was deleted by retention). */
  forget(key: ArchiveKey): void;
  readonly storage: ArchiveStorage;
  /** Stops retries and downloads; pending archives settle as FAILED. */
  dispose(): Promise<void>;
}

interface Entry {
  state: ArchiveState;
  promise: Promise<SettledArchive>;
}

/**
 * Archives each finished video once per (credential fingerprint, task): looks in the store first
 * (a restarted gateway finds its archives), else downloads with at most `concurrency` at once,
 * retrying transient failures with backoff and recording permanent ones.
 */
export function createArchiver({
  storage,
  downloader,
  concurrency = 2,
  retries = 3,
  retryDelayMs = 1000,
  coordinator = createLocalCoordinator(),
  cacheSize = 10_000,
  observer = {},
  now = Date.now,
}: ArchiverOptions): Archiver {
  const entries = new LRUCache<string, Entry>({ max: cacheSize });
  const waiting: (() => void)[] = [];
  const sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  let active = 0;
  let closed = false;

  async function slot(): Promise<() => void> {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    return () => {
      active--;
      waiting.shift()?.();
    };
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = { timer: setTimeout(() => sleeper.wake(), ms), wake: () => {} };
      sleeper.wake = () => {
        clearTimeout(sleeper.timer);
        sleepers.delete(sleeper);
        resolve();
      };
      sleepers.add(sleeper);
    });
  }

  async function attempt(key: ArchiveKey, videoUrl: string): Promise<ArchiveMeta> {
    let pending: PendingWrite | undefined;
    const release = await slot();
    try {
      if (closed) throw new ArchiveError('network', 'The gateway shut down before the video was archived.', true);
      const video = await downloader.download(videoUrl, async (body, contentType) => {
        pending = await storage.write(key, body, contentType);
      });
      const meta: ArchiveMeta = { ...video, archivedAt: new Date(now()).toISOString() };
      try {
        await pending!.commit(meta);
      } catch {
        throw new ArchiveError('storage', 'The video could not be stored.', false);
      }
      return meta;
    } catch (error) {
      await pending?.discard();
      throw error;
    } finally {
      release();
    }
  }

  async function archive(key: ArchiveKey, videoUrl: string): Promise<SettledArchive> {
    const found = await storage.find(key).catch(() => undefined);
    if (found) return { status: 'ARCHIVED', meta: found };
    observer.started?.();
    const startedAt = now();
    for (let retry = 0; ; retry++) {
      try {
        const meta = await attempt(key, videoUrl);
        observer.archived?.(meta.sizeBytes, (now() - startedAt) / 1000);
        return { status: 'ARCHIVED', meta };
      } catch (error) {
        const failure = findArchiveError(error) ?? new ArchiveError('storage', 'The video could not be archived.', false);
        if (failure.permanent || retry >= retries || closed) {
          observer.failed?.(failure.reason);
          return { status: 'FAILED', reason: failure.reason, error: failure.message };
        }
        await sleep(Math.random() * retryDelayMs * 2 ** retry);
      }
    }
  }

  function ensure(key: ArchiveKey, videoUrl: string): Entry {
    const id = archivePath(key);
    let entry = entries.get(id);
    if (entry) return entry;
    const created: Entry = {
      state: { status: 'PENDING' },
      promise: coordinator.once(id, () => archive(key, videoUrl)).then((settled) => {
        created.state = settled;
        return settled;
      }),
    };
    entries.set(id, created);
    return created;
  }

  return {
    request: (key, videoUrl) => ensure(key, videoUrl).state,
    settled: (key, videoUrl) => ensure(key, videoUrl).promise,
    async find(key) {
      const state = entries.get(archivePath(key))?.state;
      if (state?.status === 'ARCHIVED') return state.meta;
      return storage.find(key);
    },
    forget(key) {
      entries.delete(archivePath(key));
    },
    storage,
    async dispose() {
      closed = true;
      // First, so that what shutdown interrupts is not shared as an outcome with other instances.
      await coordinator.dispose();
      for (const sleeper of [...sleepers]) sleeper.wake();
      for (const resolve of waiting.splice(0)) resolve();
      await downloader.dispose();
      await Promise.allSettled([...entries.values()].map((entry) => entry.promise));
      await storage.dispose();
    },
  };
}
