import type { ArchiveState } from '../archive/archiver.js';
import type { ArchiveKey } from '../archive/storage.js';
import { builder } from './builder.js';
import { DateTime } from './date-time.js';
import { VideoTask } from './video-task.js';

/** An archive's state with the key its link is minted for. */
type ArchiveShape = { state: ArchiveState; key: ArchiveKey };

export const VideoArchiveStatus = builder.enumType('VideoArchiveStatus', {
  description: "Where the gateway's copy of a finished task's video is. ARCHIVED and FAILED are final.",
  values: {
    PENDING: { description: 'Being downloaded (or looked up in the store).' },
    ARCHIVED: { description: 'Stored: `url` serves it.' },
    FAILED: { description: 'Not stored, and not retried: `error` says why.' },
  },
});

const VideoArchive = builder.objectRef<ArchiveShape>('VideoArchive').implement({
  description: "The gateway's own copy of a task's video, which outlives the upstream's expiring `videoUrl`.",
  fields: (t) => ({
    status: t.field({ type: VideoArchiveStatus, nullable: false, resolve: ({ state }) => state.status }),
    url: t.string({
      nullable: true,
      description: 'Where the copy is served (supports Range requests), set when ARCHIVED. The link expires after ARCHIVE_URL_TTL_MS at most: ask again for a fresh one.',
      resolve: ({ state, key }, _args, ctx) => (state.status === 'ARCHIVED' && ctx.archive ? ctx.archive.url(key) : null),
    }),
    sizeBytes: t.int({ nullable: true, resolve: ({ state }) => (state.status === 'ARCHIVED' ? state.meta.sizeBytes : null) }),
    contentType: t.string({ nullable: true, resolve: ({ state }) => (state.status === 'ARCHIVED' ? state.meta.contentType : null) }),
    sha256: t.string({ nullable: true, description: 'Hex SHA-256 of the bytes.', resolve: ({ state }) => (state.status === 'ARCHIVED' ? state.meta.sha256 : null) }),
    archivedAt: t.field({ type: DateTime, nullable: true, resolve: ({ state }) => (state.status === 'ARCHIVED' ? state.meta.archivedAt : null) }),
    error: t.string({ nullable: true, description: 'Why archiving failed, set when FAILED.', resolve: ({ state }) => (state.status === 'FAILED' ? state.error : null) }),
  }),
});

builder.objectField(VideoTask, 'archive', (t) =>
  t.field({
    type: VideoArchive,
    nullable: true,
    description: 'The archived copy of the video: null when archiving is off or the task has no video (yet).',
    resolve: (task, _args, ctx) => {
      const credential = ctx.credential;
      const state = credential && ctx.archive?.state(credential, task);
      return state && credential ? { state, key: { fingerprint: credential.fingerprint, taskId: task.id } } : null;
    },
  }),
);
