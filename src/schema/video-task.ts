import { ErrorCode } from '../errors.js';
import { describeInvalidTaskId, isValidTaskId } from '../upstream/task-id.js';
import { videoTaskStatuses, type VideoTask as VideoTaskShape } from '../upstream/video-task.js';
import { builder } from './builder.js';
import { requireCredential } from './credential.js';
import { DateTime } from './date-time.js';
import { codedError, toGraphQLError } from './errors.js';

export const VideoTaskStatus = builder.enumType('VideoTaskStatus', {
  description: 'Where a task is in its life. SUCCESS and FAILURE are final.',
  values: {
    SUBMITTED: { description: 'Accepted by the upstream, not queued yet.' },
    QUEUED: { description: 'Waiting for a worker.' },
    IN_PROGRESS: { description: 'The video is being generated.' },
    SUCCESS: { description: 'Done: `videoUrl` holds the video (when the upstream gave one).' },
    FAILURE: { description: 'Failed: `error` says why.' },
    UNKNOWN: { description: 'A status this gateway does not know; `upstreamStatus` holds it.' },
  } satisfies Record<(typeof videoTaskStatuses)[number], unknown>,
});

/** A video-generation task. Loaded by id, batched and de-duplicated within an operation. */
export const VideoTask = builder.loadableObject('VideoTask', {
  description: 'A video-generation task, normalized from the upstream.',
  // Unknown tasks load as null (not an error): queries answer null for them.
  load: async (ids: string[], ctx): Promise<(VideoTaskShape | Error)[]> => {
    const credential = requireCredential(ctx);
    const results = await Promise.all(ids.map((id) => ctx.tasks.get(credential, id, 'query', ctx.stillWanted)));
    return results.map((r) => (r.ok ? r.task : r.failure.code === ErrorCode.TaskNotFound ? (null as unknown as VideoTaskShape) : toGraphQLError(r.failure)));
  },
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    status: t.field({ type: VideoTaskStatus, nullable: false, resolve: (task) => task.status }),
    progress: t.exposeInt('progress', { nullable: false, description: 'Progress in percent, 0 to 100.' }),
    videoUrl: t.exposeString('videoUrl', { nullable: true, description: 'The generated video, set only when SUCCESS. It may expire: download it promptly.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the task failed, set only when FAILURE.' }),
    submittedAt: t.field({ type: DateTime, nullable: true, resolve: (task) => task.submittedAt }),
    startedAt: t.field({ type: DateTime, nullable: true, resolve: (task) => task.startedAt }),
    finishedAt: t.field({ type: DateTime, nullable: true, resolve: (task) => task.finishedAt }),
    action: t.exposeString('action', { nullable: true, description: 'The task type, e.g. `generate`.' }),
    upstreamStatus: t.exposeString('upstreamStatus', { nullable: false, description: 'The status string exactly as the upstream sent it.' }),
  }),
});

export function checkTaskId(id: string): string {
  if (!isValidTaskId(id)) throw codedError(ErrorCode.BadUserInput, describeInvalidTaskId(id));
  return id;
}

builder.queryFields((t) => ({
  videoTask: t.field({
    type: VideoTask,
    nullable: true,
    description: 'One task by id; null when the upstream does not know it.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => {
      requireCredential(ctx);
      return checkTaskId(id);
    },
  }),
  videoTasks: t.field({
    type: [VideoTask],
    nullable: { list: false, items: true },
    description: 'Several tasks by id, in the order asked; null for each id the upstream does not know.',
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_, { ids }, ctx) => {
      const distinct = new Set(ids).size;
      if (distinct > ctx.maxTaskIds) throw codedError(ErrorCode.BadUserInput, `Too many ids: at most ${ctx.maxTaskIds} distinct ids per operation, got ${distinct}.`);
      requireCredential(ctx);
      return ids.map(checkTaskId);
    },
  }),
}));
