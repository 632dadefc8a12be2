import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { archivePath, type ArchiveKey, type ArchiveMeta, type ArchiveStorage } from './storage.js';

export interface LocalStorageOptions {
  /** ARCHIVE_DIR: the folder archives live in (created when missing). */
  dir: string;
}

export interface LocalStorage extends ArchiveStorage {
  /**
   * Deletes archives committed before `olderThan` (and leftover temporary files as old), and
   * returns the keys it deleted.
   */
  sweep(olderThan: Date): Promise<ArchiveKey[]>;
}

const META_SUFFIX = '.meta.json';
const TEMP_SUFFIX = '.tmp';
// The body has a suffix of its own too: a task id may end in `.meta.json`, and its file must not be
// another task's sidecar.
const VIDEO_SUFFIX = '.video';

/**
 * Archives as files: `<dir>/<fingerprint>/<task id>` beside a `.meta.json` sidecar. A body is
 * written to a temporary file and renamed in place, then its sidecar is: the sidecar is the commit
 * mark, so a crash leaves no half file that `find` would serve.
 */
export function createLocalStorage({ dir }: LocalStorageOptions): LocalStorage {
  const fileOf = (key: ArchiveKey) => join(dir, archivePath(key));

  async function readMeta(file: string): Promise<ArchiveMeta | undefined> {
    try {
      const meta = JSON.parse(await readFile(file + META_SUFFIX, 'utf8')) as Partial<ArchiveMeta>;
      if (typeof meta.sizeBytes !== 'number' || typeof meta.contentType !== 'string' || typeof meta.sha256 !== 'string' || typeof meta.archivedAt !== 'string') return undefined;
      // A sidecar without its file (removed by hand) is no archive.
      if ((await stat(file + VIDEO_SUFFIX)).size !== meta.sizeBytes) return undefined;
      return { sizeBytes: meta.sizeBytes, contentType: meta.contentType, sha256: meta.sha256, archivedAt: meta.archivedAt };
    } catch {
      return undefined;
    }
  }

  return {
    kind: 'local',
    async write(key, body) {
      const base = fileOf(key);
      const file = base + VIDEO_SUFFIX;
      await mkdir(dirname(file), { recursive: true });
      const temp = `${file}.${randomUUID()}${TEMP_SUFFIX}`;
      try {
        await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return {
        async commit(meta) {
          const tempMeta = `${base}${META_SUFFIX}.${randomUUID()}${TEMP_SUFFIX}`;
          await writeFile(tempMeta, JSON.stringify(meta));
          await rename(temp, file);
          await rename(tempMeta, base + META_SUFFIX);
        },
        async discard() {
          await rm(temp, { force: true });
        },
      };
    },
    find: (key) => readMeta(fileOf(key)),
    async read(key, range) {
      const stream: Readable = createReadStream(fileOf(key) + VIDEO_SUFFIX, range ? { start: range.start, end: range.end } : {});
      // Open errors (a file swept meanwhile) surface here rather than mid-response.
      await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
      return stream;
    },
    async sweep(olderThan) {
      const removed: ArchiveKey[] = [];
      const cutoff = olderThan.getTime();
      let fingerprints: string[];
      try {
        fingerprints = await readdir(dir);
      } catch {
        return removed;
      }
      for (const fingerprint of fingerprints) {
        let names: string[];
        try {
          names = await readdir(join(dir, fingerprint));
        } catch {
          continue;
        }
        for (const name of names) {
          const path = join(dir, fingerprint, name);
          if (name.endsWith(TEMP_SUFFIX)) {
            const info = await stat(path).catch(() => undefined);
            if (info && info.mtimeMs < cutoff) await rm(path, { force: true });
            continue;
          }
          if (!name.endsWith(META_SUFFIX)) continue;
          const file = path.slice(0, -META_SUFFIX.length);
          const archivedAt = await readFile(path, 'utf8').then((text) => Date.parse((JSON.parse(text) as { archivedAt?: string }).archivedAt ?? ''), () => NaN);
          if (!(archivedAt < cutoff)) continue;
          // The sidecar first: from then on `find` no longer sees the archive.
          await rm(path, { force: true });
          await rm(file + VIDEO_SUFFIX, { force: true });
          removed.push({ fingerprint, taskId: name.slice(0, -META_SUFFIX.length) });
        }
      }
      return removed;
    },
    async dispose() {},
  };
}
