import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { createArchiver, type Archiver } from './archiver.js';
import type { Connector, ResolveHost } from './connector.js';
import { createDownloader } from './downloader.js';
import { createArchiveLinks, type ArchiveLinks } from './links.js';
import { createLocalStorage } from './local-storage.js';
import { createArchiveMetrics } from './metrics.js';
import type { ArchiveCoordinator } from './once.js';
import { createRetention, type Retention } from './retention.js';
import { createS3Storage } from './s3-storage.js';
import { createArchiveService, type ArchiveService } from './service.js';

/** The settings archiving reads. */
export type ArchiveSettings = Pick<
  Config,
  | 'archiveDir'
  | 'archiveS3Bucket'
  | 'archiveS3Endpoint'
  | 'archiveS3Region'
  | 'archiveS3ForcePathStyle'
  | 'archiveMaxBytes'
  | 'archiveTimeoutMs'
  | 'archiveConcurrency'
  | 'archiveAllowedHosts'
  | 'archiveUrlTtlMs'
  | 'archiveRetentionDays'
  | 'fingerprintSecret'
>;

export interface ArchivingOptions {
  /** `local` or `s3`. */
  mode: 'local' | 's3';
  settings: ArchiveSettings;
  registry: Registry;
  /** PUBLIC_URL, or the listen address once known. */
  baseUrl: () => string;
  /** Tests keep downloads on loopback with these. */
  resolve?: ResolveHost | undefined;
  connect?: Connector | undefined;
  coordinator?: ArchiveCoordinator | undefined;
  onError?: ((error: unknown) => void) | undefined;
}

export interface Archiving {
  archiver: Archiver;
  links: ArchiveLinks;
  service: ArchiveService;
  dispose(): Promise<void>;
}

/** Builds the archive parts from the settings: store, guarded downloader, archiver, links, retention. */
export function createArchiving({ mode, settings: s, registry, baseUrl, resolve, connect, coordinator, onError }: ArchivingOptions): Archiving {
  let retention: Retention | undefined;
  let temporaryDir: string | undefined;
  let storage;
  if (mode === 's3') {
    if (!s.archiveS3Bucket) throw new Error('ARCHIVE=s3 needs ARCHIVE_S3_BUCKET.');
    storage = createS3Storage({ bucket: s.archiveS3Bucket, endpoint: s.archiveS3Endpoint, region: s.archiveS3Region, forcePathStyle: s.archiveS3ForcePathStyle });
  } else {
    // Without ARCHIVE_DIR (demo mode) a folder of this process's own, removed at shutdown.
    temporaryDir = s.archiveDir ? undefined : mkdtempSync(join(tmpdir(), 'video-archive-'));
    const local = createLocalStorage({ dir: s.archiveDir ?? temporaryDir! });
    storage = local;
    if (s.archiveRetentionDays !== undefined) retention = createRetention({ storage: local, days: s.archiveRetentionDays, onRemoved: (key) => archiver.forget(key), onError });
  }
  const archiver = createArchiver({
    storage,
    downloader: createDownloader({ allowedHosts: s.archiveAllowedHosts ?? [], maxBytes: s.archiveMaxBytes, timeoutMs: s.archiveTimeoutMs, resolve, connect }),
    concurrency: s.archiveConcurrency,
    coordinator,
    observer: createArchiveMetrics(registry),
  });
  const links = createArchiveLinks({ secret: s.fingerprintSecret, ttlMs: s.archiveUrlTtlMs });
  return {
    archiver,
    links,
    service: createArchiveService({ archiver, links, baseUrl }),
    async dispose() {
      await retention?.dispose();
      await archiver.dispose();
      if (temporaryDir) await rm(temporaryDir, { recursive: true, force: true });
    },
  };
}
