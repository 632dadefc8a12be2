import type { Credential } from '../credential.js';
import type { Poller, TaskEvent } from '../poller/poller.js';

/** What a subscription field's `resolve` gets: one task's event, naming the task. */
export type TaskStreamEvent = TaskEvent & { readonly taskId: string };

const brand = Symbol('TaskStream');

/**
 * What a task subscription field's subscribe resolver returns: the key of the event streams of
 * one task (`videoTaskUpdated`) or several (`videoTasksUpdated`). The subscription hub recognizes
 * it and joins the subscriber to a group; it is not meant to be iterated by anything else (plain
 * graphql-js `subscribe` would serve one subscriber alone).
 */
export interface TaskStream extends AsyncIterable<TaskStreamEvent> {
  readonly [brand]: true;
  readonly poller: Poller;
  readonly credential: Credential;
  /** Distinct task ids, in the order asked. */
  readonly ids: readonly string[];
}

export function createTaskStream(poller: Poller, credential: Credential, ids: string | readonly string[]): TaskStream {
  return {
    [brand]: true,
    poller,
    credential,
    ids: typeof ids === 'string' ? [ids] : [...new Set(ids)],
    [Symbol.asyncIterator]: () => {
      throw new Error('A TaskStream is served by the subscription hub (useGroupedSubscriptions, or the websocket root).');
    },
  };
}

export function isTaskStream(value: unknown): value is TaskStream {
  return typeof value === 'object' && value !== null && brand in value;
}
