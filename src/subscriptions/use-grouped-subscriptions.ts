import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SubscriptionHub } from './hub.js';

/**
 * Replaces graphql-js's per-subscriber `subscribe` with the hub's grouped one, for subscriptions
 * that go through yoga (SSE). The field's subscribe resolver still runs per subscriber (argument
 * checks, credential, coded errors); only the per-event work moves to the group.
 */
export function useGroupedSubscriptions(hub: SubscriptionHub): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn((args: ExecutionArgs) => hub.subscribe(args));
    },
  };
}
