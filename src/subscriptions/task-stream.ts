import type { Credential } from '../credential.js';
import type { Poller, TaskEvent } from '../poller/poller.js';

const brand = Symbol('TaskStream');

/**
 * What the `videoTaskUpdated` field's subscribe resolver returns: the key of a task's event
 * stream. The subscription hub recognizes it and joins the subscriber to a group; it is not meant
 * to be iterated by anything else (plain graphql-js `subscribe` would serve one subscriber alone).
 */
export interface TaskStream extends AsyncIterable<TaskEvent> {
  readonly [brand]: true;
  readonly poller: Poller;
  readonly credential: Credential;
  readonly id: string;
}

export function createTaskStream(poller: Poller, credential: Credential, id: string): TaskStream {
  return {
    [brand]: true,
    poller,
    credential,
    id,
    [Symbol.asyncIterator]: () => {
      throw new Error('A TaskStream is served by the subscription hub (useGroupedSubscriptions, or the websocket root).');
    },
  };
}

export function isTaskStream(value: unknown): value is TaskStream {
  return typeof value === 'object' && value !== null && brand in value;
}
