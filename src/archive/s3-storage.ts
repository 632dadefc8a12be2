import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { archivePath, type ArchiveKey, type ArchiveMeta, type ArchiveStorage } from './storage.js';

export interface S3StorageOptions {
  /** ARCHIVE_S3_BUCKET */
  bucket: string;
  /** ARCHIVE_S3_ENDPOINT: an S3-compatible store's URL. @default AWS's endpoint for the region */
  endpoint?: string | undefined;
  /** ARCHIVE_S3_REGION. @default the SDK's (AWS_REGION), else 'us-east-1' */
  region?: string | undefined;
  /** ARCHIVE_S3_FORCE_PATH_STYLE: `endpoint/bucket/key` URLs, as most S3-compatible stores want. @default false */
  forcePathStyle?: boolean | undefined;
  /** Credentials; unset, the SDK's default chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** Archives live under `videos/`; bodies being written under `incoming/` (see the lifecycle rule in the README). */
const ARCHIVE_PREFIX = 'videos/';
const INCOMING_PREFIX = 'incoming/';

/**
 * Archives as S3 objects with their metadata as object metadata. A body is uploaded (multipart,
 * streamed) under `incoming/`, then copied to its key with its metadata and the upload deleted:
 * the copy is the commit, so the archive appears whole or not at all.
 * The AWS SDK is imported here, on demand (each operation waits for it): a gateway that does not
 * archive to S3 never loads it.
 */
export function createS3Storage({ bucket, endpoint, region, forcePathStyle = false, credentials }: S3StorageOptions): ArchiveStorage {
  const loading = Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage'), import('@aws-sdk/s3-request-presigner')]).then(([s3, { Upload }, { getSignedUrl }]) => ({
    ...s3,
    Upload,
    getSignedUrl,
    client: new s3.S3Client({
      region: region ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle,
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    }),
  }));
  // Not rejected unhandled if nobody archives before shutdown; each operation still sees the error.
  loading.catch(() => {});
  const objectKey = (key: ArchiveKey) => ARCHIVE_PREFIX + archivePath(key);

  const remove = async (key: string) => {
    const { client, DeleteObjectCommand } = await loading;
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
  };

  return {
    kind: 's3',
    async write(_key, body, contentType) {
      const { client, Upload, CopyObjectCommand } = await loading;
      const incoming = `${INCOMING_PREFIX}${randomUUID()}`;
      const upload = new Upload({ client, params: { Bucket: bucket, Key: incoming, Body: body, ContentType: contentType } });
      // A failing body must end the upload (lib-storage aborts its multipart upload on error).
      body.once('error', () => void upload.abort().catch(() => {}));
      try {
        await upload.done();
      } catch (error) {
        await remove(incoming);
        throw error;
      }
      return {
        async commit(meta) {
          await client.send(
            new CopyObjectCommand({
              Bucket: bucket,
              Key: objectKey(_key),
              CopySource: `${bucket}/${incoming}`,
              MetadataDirective: 'REPLACE',
              ContentType: meta.contentType,
              Metadata: { sha256: meta.sha256, 'archived-at': meta.archivedAt, 'size-bytes': String(meta.sizeBytes) },
            }),
          );
          await remove(incoming);
        },
        discard: () => remove(incoming),
      };
    },
    async find(key) {
      const { client, HeadObjectCommand } = await loading;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
        const sha256 = head.Metadata?.sha256;
        const archivedAt = head.Metadata?.['archived-at'];
        if (!sha256 || !archivedAt || head.ContentLength === undefined) return undefined;
        const meta: ArchiveMeta = { sizeBytes: head.ContentLength, contentType: head.ContentType ?? 'application/octet-stream', sha256, archivedAt };
        return meta;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw error;
      }
    },
    async read(key, range) {
      const { client, GetObjectCommand } = await loading;
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      if (!(object.Body instanceof Readable)) throw new Error('The S3 client returned a body that is not a Node stream.');
      return object.Body;
    },
    async presign(key, expiresInSeconds) {
      const { client, GetObjectCommand, getSignedUrl } = await loading;
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }), { expiresIn: expiresInSeconds });
    },
    async dispose() {
      (await loading.catch(() => undefined))?.client.destroy();
    },
  };
}
