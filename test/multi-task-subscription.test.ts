import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { VideoTasksUpdated, VideoTaskUpdated } from './documents.js';
import { codes, collect, sse, startGateway, startSimulator, taskRequests, waitFor, wsClient } from './helpers.js';

const params = (token: string) => ({ connectionParams: { authorization: `Bearer ${token}` } });

type Event = ExecutionResult<{ videoTasksUpdated: { id: string; status: string; progress: number } }>;

/** Each event as `id:STATUS` or `id:CODE` (an error event names its task in extensions.taskId). */
function describeEvent(result: Event): string {
  const error = result.errors?.[0];
  if (error) return `${String(error.extensions?.taskId)}:${String(error.extensions?.code)}`;
  const task = result.data!.videoTasksUpdated;
  return `${task.id}:${task.status}`;
}

/** The events of one task, in order. */
const eventsOf = (results: Event[], id: string) => results.map(describeEvent).filter((e) => e.startsWith(`${id}:`));

describe('videoTasksUpdated', () => {
  it('should send the current state of each task, then changes, and complete when all are final, over graphql-ws', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('dash-a', { status: 'in_progress', progress: '20%' });
    simulator.setTask('dash-b', { status: 'queued', progress: '10%' });
    const sub = collect(wsClient(wsEndpoint, params('t1')), VideoTasksUpdated, { ids: ['dash-a', 'dash-b'] });
    await waitFor(() => sub.results.length === 2, { message: 'the current state of both' });
    expect(sub.results.map(describeEvent).sort()).toEqual(['dash-a:IN_PROGRESS', 'dash-b:QUEUED']);
    simulator.setTask('dash-a', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/a.mp4' });
    await waitFor(() => sub.results.length === 3, { message: 'the final state of dash-a' });
    expect(sub.results.at(-1)?.data?.videoTasksUpdated).toMatchObject({ id: 'dash-a', status: 'SUCCESS', videoUrl: 'https://cdn.example.com/a.mp4' });
    simulator.setTask('dash-b', { status: 'in_progress', progress: '50%' });
    await waitFor(() => sub.results.length === 4, { message: 'the change of dash-b' });
    simulator.setTask('dash-b', { status: 'failure', progress: '100%', fail_reason: 'no luck' });
    const results = await sub.done;
    expect(eventsOf(results, 'dash-a')).toEqual(['dash-a:IN_PROGRESS', 'dash-a:SUCCESS']);
    expect(eventsOf(results, 'dash-b')).toEqual(['dash-b:QUEUED', 'dash-b:IN_PROGRESS', 'dash-b:FAILURE']);
  });

  it('should send a task error as an error event naming the task, end only that part, and ride through outages', async () => {
    const simulator = await startSimulator({ durationMs: 1000 });
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 0 });
    simulator.addUnknown('mix-ghost');
    simulator.setTask('mix-slow', { status: 'in_progress', progress: '40%' });
    const sub = collect(wsClient(wsEndpoint, params('t1')), VideoTasksUpdated, { ids: ['mix-ok', 'mix-fail', 'mix-ghost', 'mix-slow'] });
    await waitFor(() => eventsOf(sub.results, 'mix-ghost').length === 1 && eventsOf(sub.results, 'mix-slow').length === 1, { message: 'the ghost and the slow task' });
    const ghostError = sub.results.find((r) => r.errors)!;
    expect(ghostError.data).toBeNull();
    expect(ghostError.errors).toEqual([expect.objectContaining({ message: expect.any(String), extensions: { code: 'TASK_NOT_FOUND', taskId: 'mix-ghost' } })]);
    // An outage of one task's polling: an error event for it, then its state again.
    simulator.injectFault({ type: 'status', status: 503 }, 2);
    await waitFor(() => eventsOf(sub.results, 'mix-slow').includes('mix-slow:UPSTREAM_UNAVAILABLE') || eventsOf(sub.results, 'mix-ok').includes('mix-ok:UPSTREAM_UNAVAILABLE'), {
      message: 'an outage event',
    });
    await waitFor(() => eventsOf(sub.results, 'mix-ok').at(-1) === 'mix-ok:SUCCESS' && eventsOf(sub.results, 'mix-fail').at(-1) === 'mix-fail:FAILURE', { message: 'the others to finish' });
    // The ghost's part is over; the stream goes on for the slow task until it is final.
    expect(sub.results.filter((r) => r.errors?.[0]?.extensions?.code === 'TASK_NOT_FOUND')).toHaveLength(1);
    simulator.setTask('mix-slow', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/s.mp4' });
    const results = await sub.done;
    expect(eventsOf(results, 'mix-slow').at(-1)).toBe('mix-slow:SUCCESS');
    expect(eventsOf(results, 'mix-ghost')).toEqual(['mix-ghost:TASK_NOT_FOUND']);
    const outage = results.find((r) => r.errors?.[0]?.extensions?.code === 'UPSTREAM_UNAVAILABLE');
    expect(outage?.errors?.[0]?.extensions?.taskId).toMatch(/^mix-(ok|fail|slow)$/);
  });

  it('should stream the same events over SSE, with the error events naming their task', async () => {
    const simulator = await startSimulator({ durationMs: 200 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.addUnknown('sse-ghost');
    const results = (await sse(endpoint, VideoTasksUpdated, { ids: ['sse-ok', 'sse-fail', 'sse-ghost'] }, { authorization: 'Bearer t1' })) as Event[];
    expect(eventsOf(results, 'sse-ok').at(-1)).toBe('sse-ok:SUCCESS');
    expect(eventsOf(results, 'sse-fail').at(-1)).toBe('sse-fail:FAILURE');
    expect(eventsOf(results, 'sse-ghost')).toEqual(['sse-ghost:TASK_NOT_FOUND']);
  });

  it('should poll each task once per tick for 10 dashboards and 50 single watchers', async () => {
    const simulator = await startSimulator({ durationMs: 400 });
    const { wsEndpoint, gateway } = await startGateway({ upstreamUrl: simulator.url });
    const clients = Array.from({ length: 5 }, () => wsClient(wsEndpoint, params('t1')));
    const singles = Array.from({ length: 50 }, (_, i) => collect(clients[i % 5]!, VideoTaskUpdated, { id: 'hot-1' }));
    // Dashboards list the tasks in different orders: still one loop per task.
    const dashboards = Array.from({ length: 10 }, (_, i) => collect(clients[i % 5]!, VideoTasksUpdated, { ids: i % 2 ? ['hot-1', 'hot-2'] : ['hot-2', 'hot-1'] }));
    await waitFor(() => gateway.stats.subscribers === 60, { message: '60 subscribers' });
    expect(gateway.stats.pollLoops).toBe(2);
    const all = await Promise.all([...singles, ...dashboards].map((s) => s.done));
    for (const id of ['hot-1', 'hot-2']) {
      const requests = taskRequests(simulator, id);
      expect(Math.max(...requests.map((r) => r.inFlightForTask))).toBe(1);
      // One loop: no more polls than ticks of the interval over the time it ran.
      const span = requests.at(-1)!.at - requests[0]!.at;
      expect(requests.length).toBeLessThanOrEqual(Math.ceil(span / 10) + 2);
    }
    for (const results of all.slice(50) as Event[][]) {
      expect(eventsOf(results, 'hot-1').at(-1)).toBe('hot-1:SUCCESS');
      expect(eventsOf(results, 'hot-2').at(-1)).toBe('hot-2:SUCCESS');
    }
  });

  it('should give a late dashboard the current state of every task at once', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, pollIntervalMs: 60_000 });
    simulator.setTask('late-a', { status: 'in_progress', progress: '30%' });
    simulator.setTask('late-b', { status: 'queued', progress: '10%' });
    const client = wsClient(wsEndpoint, params('t1'));
    const first = collect(client, VideoTasksUpdated, { ids: ['late-a', 'late-b'] });
    await waitFor(() => first.results.length === 2);
    const late = collect(client, VideoTasksUpdated, { ids: ['late-a', 'late-b'] });
    await waitFor(() => late.results.length === 2, { message: 'both states for the late joiner' });
    expect(late.results.map(describeEvent).sort()).toEqual(['late-a:IN_PROGRESS', 'late-b:QUEUED']);
    expect(taskRequests(simulator)).toHaveLength(2);
    first.unsubscribe();
    late.unsubscribe();
  });

  it('should count as its number of distinct ids toward MAX_SUBSCRIPTIONS_PER_CONNECTION', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, maxSubscriptionsPerConnection: 3 });
    for (const id of ['w-1', 'w-2', 'w-3', 'w-4']) simulator.setTask(id, { status: 'in_progress', progress: '10%' });
    const client = wsClient(wsEndpoint, params('t1'));
    const refusal = (sub: { done: Promise<unknown> }) => sub.done.then(() => undefined, (error: unknown) => (error as Error).message);
    // Four distinct ids (one repeated) on a connection allowing three.
    expect(await refusal(collect(client, VideoTasksUpdated, { ids: ['w-1', 'w-2', 'w-3', 'w-4', 'w-1'] }))).toContain('LIMIT_EXCEEDED');
    expect(taskRequests(simulator)).toHaveLength(0);
    const dashboard = collect(client, VideoTasksUpdated, { ids: ['w-1', 'w-2', 'w-2'] });
    await waitFor(() => dashboard.results.length === 2);
    const single = collect(client, VideoTaskUpdated, { id: 'w-3' });
    await waitFor(() => single.results.length === 1);
    expect(await refusal(collect(client, VideoTaskUpdated, { id: 'w-4' }))).toContain('LIMIT_EXCEEDED');
    dashboard.unsubscribe();
    // Its two tasks are free again.
    const after = collect(client, VideoTasksUpdated, { ids: ['w-4', 'w-1'] });
    await waitFor(() => after.results.length === 2, { message: 'a dashboard after the first one left' });
    after.unsubscribe();
    single.unsubscribe();
  });

  it('should refuse an empty list and more than MAX_TASK_IDS distinct ids with BAD_USER_INPUT, before any upstream call', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint, endpoint } = await startGateway({ upstreamUrl: simulator.url, maxTaskIds: 3 });
    const empty = await collect(wsClient(wsEndpoint, params('t1')), VideoTasksUpdated, { ids: [] }).done;
    expect(empty.map(codes)).toEqual([['BAD_USER_INPUT']]);
    const many = await sse(endpoint, VideoTasksUpdated, { ids: ['m-1', 'm-2', 'm-3', 'm-4'] }, { authorization: 'Bearer t1' });
    expect(many.map(codes)).toEqual([['BAD_USER_INPUT']]);
    const invalid = await collect(wsClient(wsEndpoint, params('t1')), VideoTasksUpdated, { ids: ['ok-1', 'bad id'] }).done;
    expect(invalid.map(codes)).toEqual([['BAD_USER_INPUT']]);
    expect(simulator.requests).toHaveLength(0);
  });
});
