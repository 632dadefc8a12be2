import type { Readable } from 'node:stream';

/** What is recorded about an archived video, beside its bytes. */
export interface ArchiveMeta {
  sizeBytes: number;
  contentType: string;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  /** ISO 8601 UTC. */
  archivedAt: string;
}

/** Which archive: one per credential fingerprint and task. */
export interface ArchiveKey {
  fingerprint: string;
  taskId: string;
}

/** A body being written: invisible to `find` until committed. */
export interface PendingWrite {
  /** Makes the archive findable, with its metadata, in one step. */
  commit(meta: ArchiveMeta): Promise<void>;
  /** Removes what was written. Never throws. */
  discard(): Promise<void>;
}

/** Inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Where archived videos live: a local folder or an S3 bucket. */
export interface ArchiveStorage {
  readonly kind: 'local' | 's3';
  /** Streams `body` to a temporary place; rejects (having cleaned up) when the body or the store fails. */
  write(key: ArchiveKey, body: Readable, contentType: string): Promise<PendingWrite>;
  /** The metadata of a committed archive, or undefined: how a restarted gateway finds earlier archives. */
  find(key: ArchiveKey): Promise<ArchiveMeta | undefined>;
  /** The bytes of a committed archive (or of a range of it). */
  read(key: ArchiveKey, range?: ByteRange): Promise<Readable>;
  /** A URL the client may fetch the archive from directly (S3 presigned), valid for `expiresInSeconds`. */
  presign?(key: ArchiveKey, expiresInSeconds: number): Promise<string>;
  dispose(): Promise<void>;
}

const FINGERPRINT = /^[0-9a-f]{8,128}$/;
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * The relative path or object key of an archive: `<fingerprint>/<task id>`. Both parts are checked
 * again here, so that no caller can make a store write outside its folder or prefix.
 */
export function archivePath({ fingerprint, taskId }: ArchiveKey): string {
  if (!FINGERPRINT.test(fingerprint) || !TASK_ID.test(taskId)) throw new Error('An archive key needs a hex fingerprint and a valid task id.');
  return `${fingerprint}/${taskId}`;
}
