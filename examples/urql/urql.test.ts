import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { onDispose, startGateway, startSimulator } from '../../test/helpers.js';
import { TaskQuery, TaskUpdates } from '../documents.js';
import type { TaskUpdatesSubscription } from '../gql/graphql.js';
import { createUrqlClient, type UrqlOptions } from './client.js';

type Task = TaskUpdatesSubscription['videoTaskUpdated'];

function client(url: string, subscriptions: UrqlOptions['subscriptions']) {
  const c = createUrqlClient({ url, token: 'urql-example', subscriptions, webSocketImpl: WebSocket });
  onDispose(() => c.dispose());
  return c.client;
}

/** Every task a subscription sent, once it ended. */
function watch(c: ReturnType<typeof client>, id: string): Promise<Task[]> {
  return new Promise((resolve, reject) => {
    const tasks: Task[] = [];
    const { unsubscribe } = c.subscription(TaskUpdates, { id }).subscribe((result) => {
      if (result.error) return reject(result.error);
      if (result.data) tasks.push(result.data.videoTaskUpdated);
      // urql keeps a subscription's last result; the stream ends with the final task.
      if (tasks.at(-1)?.status === 'SUCCESS' || tasks.at(-1)?.status === 'FAILURE') resolve(tasks);
    });
    onDispose(unsubscribe);
  });
}

describe('the urql example', () => {
  it('should query a task', async () => {
    const simulator = await startSimulator();
    const gw = await startGateway({ upstreamUrl: simulator.url });
    const result = await client(gw.endpoint, 'ws').query(TaskQuery, { id: 'urql-q1' }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.videoTask).toMatchObject({ id: 'urql-q1', progress: expect.any(Number) });
  });

  for (const transport of ['ws', 'sse'] as const) {
    it(`should watch a task over ${transport === 'ws' ? 'graphql-ws' : 'SSE (fetchSubscriptions)'} until it is final`, async () => {
      const simulator = await startSimulator({ durationMs: 400 });
      const gw = await startGateway({ upstreamUrl: simulator.url });
      const tasks = await watch(client(gw.endpoint, transport), `urql-${transport}-1`);
      expect(tasks.length).toBeGreaterThan(1);
      expect(tasks.at(-1)).toMatchObject({ id: `urql-${transport}-1`, status: 'SUCCESS', progress: 100 });
    });
  }
});
