import type { Credential } from '../credential.js';
import { isFinalEvent, type Poller, type TaskEvent } from '../poller/poller.js';

const brand = Symbol('TaskStream');

/**
 * What the `videoTaskUpdated` field's subscribe resolver returns: the key of a task's event
 * stream. The grouped-subscription plugin recognizes it and joins the subscriber to a group;
 * anything else iterating it (plain graphql-js `subscribe`) gets a per-subscriber iterator with
 * the same semantics: the current state first, then changes, ending after a final event.
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
    [Symbol.asyncIterator]: () => iterate(poller, credential, id),
  };
}

export function isTaskStream(value: unknown): value is TaskStream {
  return typeof value === 'object' && value !== null && brand in value;
}

function iterate(poller: Poller, credential: Credential, id: string): AsyncIterator<TaskEvent> {
  const queue: TaskEvent[] = [];
  let waiting: ((result: IteratorResult<TaskEvent>) => void) | undefined;
  let ended = false;
  const push = (event: TaskEvent) => {
    if (ended) return;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: event, done: false });
    } else queue.push(event);
    if (isFinalEvent(event)) stop();
  };
  const watch = poller.watch(credential, id, push);
  function stop() {
    ended = true;
    watch.unwatch();
  }
  if (watch.current) push(watch.current);
  return {
    next() {
      const event = queue.shift();
      if (event) return Promise.resolve({ value: event, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      stop();
      queue.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
      return Promise.resolve({ value: undefined, done: true });
    },
  };
}
