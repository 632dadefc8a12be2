import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { onDispose, startGateway, startSimulator, waitFor } from '../../test/helpers.js';
import { TaskQuery, TaskUpdates } from '../documents.js';
import { createGatewayClient, watchTask, type Task } from './client.js';

// Apollo's GraphQLWsLink reads the browser's global WebSocket, which Node 20 lacks.
globalThis.WebSocket ??= WebSocket as unknown as typeof globalThis.WebSocket;

/** A fetch that records each request's method and whether it carried the query text. */
function recordingFetch() {
  const requests: { method: string; hasQuery: boolean; status: number }[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input instanceof Request ? input.url : input));
    const body = typeof init?.body === 'string' ? init.body : '';
    requests.push({ method: init?.method ?? 'GET', hasQuery: url.searchParams.has('query') || body.includes('"query"'), status: response.status });
    return response;
  };
  return { requests, fetch: fetchFn };
}

function client(url: string, options: Partial<Parameters<typeof createGatewayClient>[0]> = {}) {
  const c = createGatewayClient({ url, token: 'apollo-example', webSocketImpl: WebSocket, ...options });
  onDispose(() => c.dispose());
  return c;
}

/** Every task a watch saw, and a promise of the moment it completed. */
function watch(apollo: ReturnType<typeof client>['apollo'], id: string) {
  const tasks: Task[] = [];
  let resubscribed = 0;
  let stop = () => {};
  const done = new Promise<Task[]>((resolve, reject) => {
    stop = watchTask(apollo, id, { next: (task) => tasks.push(task), error: reject, complete: () => resolve(tasks), resubscribing: () => resubscribed++ }, { retryDelayMs: 50 });
  });
  onDispose(stop);
  return { tasks, done, resubscribed: () => resubscribed };
}

describe('the Apollo Client example', () => {
  it('should query a task with persisted queries: the first client registers the query, the next one sends its hash only', async () => {
    const simulator = await startSimulator();
    const gw = await startGateway({ upstreamUrl: simulator.url });
    const first = recordingFetch();
    const { data } = await client(gw.endpoint, { fetch: first.fetch }).apollo.query({ query: TaskQuery, variables: { id: 'apollo-q1' } });
    expect(data?.videoTask).toMatchObject({ id: 'apollo-q1', progress: expect.any(Number) });
    // A hash-only GET, PersistedQueryNotFound, then the query with its hash, as a POST.
    expect(first.requests).toEqual([
      { method: 'GET', hasQuery: false, status: 404 },
      { method: 'POST', hasQuery: true, status: 200 },
    ]);
    const second = recordingFetch();
    const again = await client(gw.endpoint, { fetch: second.fetch }).apollo.query({ query: TaskQuery, variables: { id: 'apollo-q1' } });
    expect(again.data?.videoTask?.id).toBe('apollo-q1');
    expect(second.requests).toEqual([{ method: 'GET', hasQuery: false, status: 200 }]);
  });

  it('should watch a task over GraphQLWsLink until it is final', async () => {
    const simulator = await startSimulator({ durationMs: 400 });
    const gw = await startGateway({ upstreamUrl: simulator.url });
    const tasks = await watch(client(gw.endpoint).apollo, 'apollo-w1').done;
    expect(tasks.at(-1)).toMatchObject({ id: 'apollo-w1', status: 'SUCCESS', progress: 100, videoUrl: `${simulator.url}/samples/apollo-w1.mp4` });
    expect(tasks.length).toBeGreaterThan(1);
  });

  it('should subscribe again after the gateway stops with SHUTTING_DOWN and see the task finish on the restarted one', async () => {
    const simulator = await startSimulator({ durationMs: 1500 });
    const gw = await startGateway({ upstreamUrl: simulator.url });
    const port = Number(new URL(gw.url).port);
    const w = watch(client(gw.endpoint).apollo, 'apollo-r1');
    await waitFor(() => w.tasks.length > 0, { message: 'the first event' });
    await gw.dispose();
    await startGateway({ upstreamUrl: simulator.url, port });
    const tasks = await w.done;
    expect(w.resubscribed()).toBe(1);
    expect(tasks.at(-1)).toMatchObject({ id: 'apollo-r1', status: 'SUCCESS' });
  });

  it("should not serve Apollo's multipart HTTP subscriptions: subscriptions go over GraphQLWsLink", async () => {
    const simulator = await startSimulator();
    const gw = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'key' });
    const httpOnly = new ApolloClient({ link: new HttpLink({ uri: gw.endpoint }), cache: new InMemoryCache() });
    const error = await new Promise<unknown>((resolve) => {
      httpOnly.subscribe({ query: TaskUpdates, variables: { id: 'apollo-m1' } }).subscribe({ next: ({ error }) => error && resolve(error), error: resolve });
    });
    httpOnly.stop();
    expect(error).toMatchObject({ statusCode: 406 });
  });
});
