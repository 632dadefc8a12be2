import { ErrorCode } from '../errors.js';
import { createTaskStream, type TaskStreamEvent } from '../subscriptions/task-stream.js';
import { builder } from './builder.js';
import { requireCredential } from './credential.js';
import { codedError, toGraphQLError } from './errors.js';
import { checkTaskId, VideoTask } from './video-task.js';

builder.subscriptionFields((t) => ({
  videoTasksUpdated: t.field({
    type: VideoTask,
    nullable: false,
    description:
      'Several tasks at once, for dashboards: the current state of each, then an event each time one of them changes (the event is that task: key by `id`); ' +
      'completes when all are final. A task\'s own error arrives as an error event whose `extensions.taskId` names it: ' +
      'TASK_NOT_FOUND (and UNAUTHENTICATED, FORBIDDEN, WATCH_TIMEOUT) end that task\'s part only; outages (UPSTREAM_UNAVAILABLE, UPSTREAM_BAD_RESPONSE) are ridden through.',
    args: { ids: t.arg.idList({ required: true }) },
    subscribe: (_, { ids }, ctx) => {
      const distinct = new Set(ids).size;
      if (distinct === 0) throw codedError(ErrorCode.BadUserInput, 'ids is empty: name at least one task.');
      if (distinct > ctx.maxTaskIds) throw codedError(ErrorCode.BadUserInput, `Too many ids: at most ${ctx.maxTaskIds} distinct ids per operation, got ${distinct}.`);
      const credential = requireCredential(ctx);
      return createTaskStream(ctx.poller, credential, ids.map(checkTaskId));
    },
    // Failures travel as events so that their code survives graphql-ws; here they become errors naming their task.
    resolve: (event: TaskStreamEvent) => {
      if (event.type === 'failure') throw toGraphQLError(event.failure, { taskId: event.taskId });
      return event.task;
    },
  }),
}));
