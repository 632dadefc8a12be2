import { createTaskStream, type TaskStreamEvent } from '../subscriptions/task-stream.js';
import { builder } from './builder.js';
import { requireCredential } from './credential.js';
import { toGraphQLError } from './errors.js';
import { checkTaskId, VideoTask } from './video-task.js';

builder.subscriptionFields((t) => ({
  videoTaskUpdated: t.field({
    type: VideoTask,
    nullable: false,
    description:
      'The task now, then each time a selected field changes; completes after SUCCESS or FAILURE. ' +
      'Upstream outages arrive as an error event (UPSTREAM_UNAVAILABLE, UPSTREAM_BAD_RESPONSE) and the stream goes on; ' +
      'TASK_NOT_FOUND, UNAUTHENTICATED, FORBIDDEN and WATCH_TIMEOUT end it.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_, { id }, ctx) => createTaskStream(ctx.poller, requireCredential(ctx), checkTaskId(id)),
    // Failures travel as events so that their code survives graphql-ws; here they become errors.
    resolve: (event: TaskStreamEvent) => {
      if (event.type === 'failure') throw toGraphQLError(event.failure);
      return event.task;
    },
  }),
}));
