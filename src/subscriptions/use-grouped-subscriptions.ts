import { createSourceEventStream, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SubscriptionHub } from './hub.js';
import { isTaskStream } from './task-stream.js';

/**
 * Replaces graphql-js's per-subscriber `subscribe` with the hub's grouped one. The field's
 * subscribe resolver still runs per subscriber (argument checks, credential, coded errors);
 * only the per-event work moves to the group.
 */
export function useGroupedSubscriptions(hub: SubscriptionHub): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args);
        if (!isTaskStream(source)) {
          if (Symbol.asyncIterator in source) throw new Error('Subscription fields must return a TaskStream (see createTaskStream).');
          return source;
        }
        return hub.join(args, source);
      });
    },
  };
}
