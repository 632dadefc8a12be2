import type { Credential } from '../credential.js';
import type { TaskSource } from '../upstream/task-source.js';
import type { VideoTask } from '../upstream/video-task.js';
import type { Archiver, ArchiveState, SettledArchive } from './archiver.js';
import { VIDEOS_PATH, type ArchiveLinks } from './links.js';
import type { ArchiveKey } from './storage.js';

/** What the schema and the subscription hub know of archiving. */
export interface ArchiveService {
  /** The archive of a finished task with a video (started on first sight), else undefined. */
  state(credential: Credential, task: VideoTask): ArchiveState | undefined;
  /** Resolves when the archive of `task` settles, if it is still pending; else undefined. */
  pending(credential: Credential, task: VideoTask): Promise<SettledArchive> | undefined;
  /** The absolute URL an archived video is served at, for a while (see the links). */
  url(key: ArchiveKey): string;
}

export interface ArchiveServiceOptions {
  archiver: Archiver;
  links: ArchiveLinks;
  /** PUBLIC_URL, or the gateway's own listen address once known; no trailing slash. */
  baseUrl: () => string;
}

const keyOf = (credential: Credential, task: VideoTask): ArchiveKey => ({ fingerprint: credential.fingerprint, taskId: task.id });

export function createArchiveService({ archiver, links, baseUrl }: ArchiveServiceOptions): ArchiveService {
  return {
    state(credential, task) {
      if (task.status !== 'SUCCESS' || !task.videoUrl) return undefined;
      return archiver.request(keyOf(credential, task), task.videoUrl);
    },
    pending(credential, task) {
      if (task.status !== 'SUCCESS' || !task.videoUrl) return undefined;
      const key = keyOf(credential, task);
      return archiver.request(key, task.videoUrl).status === 'PENDING' ? archiver.settled(key, task.videoUrl) : undefined;
    },
    url: (key) => `${baseUrl()}${VIDEOS_PATH}${links.mint(key)}`,
  };
}

/**
 * The task source with archiving started the first time a task is seen in SUCCESS with a video,
 * whether a poll loop or a query saw it. Later sightings cost a memory lookup.
 */
export function archiveOnSuccess(source: TaskSource, archive: Pick<ArchiveService, 'state'>): TaskSource {
  return {
    async get(credential, id, lane, stillWanted) {
      const result = await source.get(credential, id, lane, stillWanted);
      if (result.ok) archive.state(credential, result.task);
      return result;
    },
    seed: (credential, task) => source.seed(credential, task),
    get inFlight() {
      return source.inFlight;
    },
  };
}
