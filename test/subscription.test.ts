import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { VideoTaskStatusUpdated, VideoTaskUpdated } from './documents.js';
import { codes, collect, sse, startGateway, startSimulator, taskRequests, waitFor, wsClient } from './helpers.js';

const params = (token: string) => ({ connectionParams: { authorization: `Bearer ${token}` } });
const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('videoTaskUpdated over graphql-ws', () => {
  it('should send the current state at once, without waiting for a poll interval', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, pollIntervalMs: 60_000 });
    simulator.setTask('first-1', { status: 'in_progress', progress: '30%' });
    const client = wsClient(wsEndpoint, params('t1'));
    const first = await new Promise<ExecutionResult>((resolve) => collect(client, VideoTaskUpdated, { id: 'first-1' }, resolve));
    expect(first).toEqual({ data: { videoTaskUpdated: { id: 'first-1', status: 'IN_PROGRESS', progress: 30, videoUrl: null, error: null } } });
  });

  it('should send an event only when a selected field changed, including progress going backwards', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('change-1', { status: 'in_progress', progress: '30%' });
    const client = wsClient(wsEndpoint, params('t1'));
    const sub = collect(client, VideoTaskUpdated, { id: 'change-1' });
    const progressOnly = collect(client, VideoTaskStatusUpdated, { id: 'change-1' });
    await waitFor(() => taskRequests(simulator, 'change-1').length >= 6, { message: 'six polls' });
    expect(sub.results).toHaveLength(1);
    simulator.setTask('change-1', { status: 'in_progress', progress: '50%' });
    await waitFor(() => sub.results.length === 2, { message: 'the 50% event' });
    simulator.setTask('change-1', { status: 'in_progress', progress: '40%' });
    await waitFor(() => sub.results.length === 3, { message: 'the 40% event' });
    simulator.setTask('change-1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/c.mp4' });
    await sub.done;
    await progressOnly.done;
    expect(sub.results.map((r) => (r.data as { videoTaskUpdated: { progress: number } }).videoTaskUpdated.progress)).toEqual([30, 50, 40, 100]);
    // The status-only selection saw no progress changes: one event per status.
    expect(progressOnly.results.map((r) => r.data)).toEqual([{ videoTaskUpdated: { status: 'IN_PROGRESS' } }, { videoTaskUpdated: { status: 'SUCCESS' } }]);
  });

  it('should complete after SUCCESS with the video URL', async () => {
    const simulator = await startSimulator({ durationMs: 200 });
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    const results = await collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'ok-1' }).done;
    const last = results.at(-1)?.data?.videoTaskUpdated;
    expect(last).toMatchObject({ status: 'SUCCESS', progress: 100, videoUrl: `${simulator.url}/samples/ok-1.mp4`, error: null });
    const statuses = results.map((r) => r.data?.videoTaskUpdated.status);
    expect(statuses.indexOf('SUCCESS')).toBe(statuses.length - 1);
  });

  it('should complete after FAILURE with the reason', async () => {
    const simulator = await startSimulator({ durationMs: 200 });
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    const results = await collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'will-fail-1' }).done;
    expect(results.at(-1)?.data?.videoTaskUpdated).toMatchObject({ status: 'FAILURE', videoUrl: null, error: expect.stringContaining('content filter') });
  });

  it('should poll once per tick for 50 subscribers of one task', async () => {
    const simulator = await startSimulator({ durationMs: 400 });
    const { wsEndpoint, gateway } = await startGateway({ upstreamUrl: simulator.url });
    const clients = Array.from({ length: 5 }, () => wsClient(wsEndpoint, params('t1')));
    const subs = Array.from({ length: 50 }, (_, i) => collect(clients[i % 5]!, VideoTaskUpdated, { id: 'shared-1' }));
    await waitFor(() => gateway.stats.subscribers === 50, { message: '50 subscribers' });
    expect(gateway.stats.pollLoops).toBe(1);
    expect(gateway.stats.subscriptionGroups).toBe(1);
    const all = await Promise.all(subs.map((s) => s.done));
    const requests = taskRequests(simulator, 'shared-1');
    expect(Math.max(...requests.map((r) => r.inFlightForTask))).toBe(1);
    // One loop: no more polls than ticks of the interval over the time it ran.
    const span = requests.at(-1)!.at - requests[0]!.at;
    expect(requests.length).toBeLessThanOrEqual(Math.ceil(span / 10) + 2);
    for (const results of all) expect(results).toEqual(all[0]);
    expect(all[0]!.at(-1)?.data?.videoTaskUpdated.status).toBe('SUCCESS');
  });

  it('should run one loop per credential', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint, gateway } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('two-1', { status: 'in_progress', progress: '10%' });
    const a = collect(wsClient(wsEndpoint, params('alice')), VideoTaskUpdated, { id: 'two-1' });
    const b = collect(wsClient(wsEndpoint, params('bob')), VideoTaskUpdated, { id: 'two-1' });
    await waitFor(() => a.results.length === 1 && b.results.length === 1);
    expect(gateway.stats.pollLoops).toBe(2);
    await waitFor(() => new Set(taskRequests(simulator, 'two-1').map((r) => r.token)).size === 2);
    a.unsubscribe();
    b.unsubscribe();
  });

  it('should give a late subscriber of a finished task the final state at no upstream cost', async () => {
    const simulator = await startSimulator({ durationMs: 100 });
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    const client = wsClient(wsEndpoint, params('t1'));
    await collect(client, VideoTaskUpdated, { id: 'late-1' }).done;
    const before = taskRequests(simulator, 'late-1').length;
    const late = await collect(client, VideoTaskUpdated, { id: 'late-1' }).done;
    expect(late).toHaveLength(1);
    expect(late[0]?.data?.videoTaskUpdated.status).toBe('SUCCESS');
    expect(taskRequests(simulator, 'late-1')).toHaveLength(before);
  });

  it('should give a subscriber joining a running task its current state at once', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('join-1', { status: 'in_progress', progress: '70%' });
    const client = wsClient(wsEndpoint, params('t1'));
    const first = collect(client, VideoTaskUpdated, { id: 'join-1' });
    await waitFor(() => first.results.length === 1);
    const second = collect(client, VideoTaskUpdated, { id: 'join-1' });
    await waitFor(() => second.results.length === 1);
    expect(second.results[0]).toEqual(first.results[0]);
    first.unsubscribe();
    second.unsubscribe();
  });

  it('should stop polling when the last subscriber leaves', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint, gateway } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('leave-1', { status: 'in_progress', progress: '10%' });
    const client = wsClient(wsEndpoint, params('t1'));
    const a = collect(client, VideoTaskUpdated, { id: 'leave-1' });
    const b = collect(client, VideoTaskUpdated, { id: 'leave-1' });
    await waitFor(() => a.results.length === 1 && b.results.length === 1);
    a.unsubscribe();
    const count = taskRequests(simulator, 'leave-1').length;
    await waitFor(() => taskRequests(simulator, 'leave-1').length > count + 2, { message: 'polls go on for the other subscriber' });
    b.unsubscribe();
    await waitFor(() => gateway.stats.pollLoops === 0 && gateway.stats.subscribers === 0, { message: 'the loop to stop' });
    const after = taskRequests(simulator, 'leave-1').length;
    await quiet(200); // A quiet window of 20 intervals: nothing may arrive in it.
    expect(taskRequests(simulator, 'leave-1')).toHaveLength(after);
  });

  it('should ride through an upstream outage and still deliver the final state', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('outage-1', { status: 'in_progress', progress: '40%' });
    const sub = collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'outage-1' });
    await waitFor(() => sub.results.length === 1);
    simulator.injectFault({ type: 'status', status: 503 }, 4);
    await waitFor(() => sub.results.length === 3, { message: 'the error event and the recovery' });
    simulator.setTask('outage-1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/o.mp4' });
    const results = await sub.done;
    expect(results.map((r) => codes(r)[0] ?? r.data?.videoTaskUpdated.status)).toEqual(['IN_PROGRESS', 'UPSTREAM_UNAVAILABLE', 'IN_PROGRESS', 'SUCCESS']);
  });

  it('should end the stream when the upstream keeps failing for MAX_POLL_FAILURE_MS', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, maxPollFailureMs: 100 });
    simulator.setTask('down-1', { status: 'in_progress', progress: '40%' });
    const sub = collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'down-1' });
    await waitFor(() => sub.results.length === 1);
    simulator.injectFault({ type: 'status', status: 500 }, 1000);
    const results = await sub.done;
    expect(results.map((r) => codes(r)[0] ?? r.data?.videoTaskUpdated.status)).toEqual(['IN_PROGRESS', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
  });

  it('should end with TASK_NOT_FOUND for an unknown task', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.addUnknown('ghost');
    const results = await collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'ghost' }).done;
    expect(results).toHaveLength(1);
    expect(codes(results[0]!)).toEqual(['TASK_NOT_FOUND']);
  });

  it('should end with UNAUTHENTICATED or FORBIDDEN when the upstream refuses the credential', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.refuseToken('bad');
    simulator.forbidToken('limited');
    const refused = await collect(wsClient(wsEndpoint, params('bad')), VideoTaskUpdated, { id: 'x1' }).done;
    expect(codes(refused.at(-1)!)).toEqual(['UNAUTHENTICATED']);
    const forbidden = await collect(wsClient(wsEndpoint, params('limited')), VideoTaskUpdated, { id: 'x1' }).done;
    expect(codes(forbidden.at(-1)!)).toEqual(['FORBIDDEN']);
  });

  it('should end with WATCH_TIMEOUT after MAX_WATCH_MS', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, maxWatchMs: 100 });
    simulator.setTask('slow-1', { status: 'queued', progress: '10%' });
    const results = await collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'slow-1' }).done;
    expect(codes(results.at(-1)!)).toEqual(['WATCH_TIMEOUT']);
  });

  it('should refuse subscriptions beyond MAX_SUBSCRIPTIONS_PER_CONNECTION with LIMIT_EXCEEDED and not poll for them', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, maxSubscriptionsPerConnection: 2 });
    for (const id of ['cap-1', 'cap-2', 'cap-3']) simulator.setTask(id, { status: 'in_progress', progress: '10%' });
    const client = wsClient(wsEndpoint, params('t1'));
    const a = collect(client, VideoTaskUpdated, { id: 'cap-1' });
    const b = collect(client, VideoTaskUpdated, { id: 'cap-2' });
    await waitFor(() => a.results.length === 1 && b.results.length === 1);
    const refused = await collect(client, VideoTaskUpdated, { id: 'cap-3' }).done.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain('LIMIT_EXCEEDED');
    expect(taskRequests(simulator, 'cap-3')).toHaveLength(0);
    a.unsubscribe();
    b.unsubscribe();
  });

  it('should take the credential from the upgrade request when connectionParams has none', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: undefined });
    const { WebSocket } = await import('ws');
    class AuthorizedWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { authorization: 'Bearer header-token' } });
      }
    }
    simulator.setTask('hdr-1', { status: 'success', progress: '100%' });
    const results = await collect(wsClient(wsEndpoint, { webSocketImpl: AuthorizedWebSocket }), VideoTaskUpdated, { id: 'hdr-1' }).done;
    expect(results[0]?.data?.videoTaskUpdated.status).toBe('SUCCESS');
    expect(taskRequests(simulator, 'hdr-1').map((r) => r.token)).toEqual(['header-token']);
  });

  it('should answer UNAUTHENTICATED without polling when no credential is given or configured', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: undefined });
    const results = await collect(wsClient(wsEndpoint), VideoTaskUpdated, { id: 'anon-1' }).done;
    expect(codes(results[0]!)).toEqual(['UNAUTHENTICATED']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should close every socket and stop every loop when the server stops', async () => {
    const simulator = await startSimulator();
    const gw = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('stop-1', { status: 'in_progress', progress: '10%' });
    let closeCode: number | undefined;
    const client = wsClient(gw.wsEndpoint, { ...params('t1'), on: { closed: (event) => (closeCode = (event as { code: number }).code) } });
    const sub = collect(client, VideoTaskUpdated, { id: 'stop-1' });
    await waitFor(() => sub.results.length === 1);
    await gw.dispose();
    const results = await sub.done.catch(() => sub.results);
    expect(codes(results.at(-1)!)).toEqual(['SHUTTING_DOWN']);
    await waitFor(() => closeCode !== undefined, { message: 'the socket to close' });
    expect(closeCode).toBe(1001);
    expect(gw.gateway.stats.pollLoops).toBe(0);
    const after = taskRequests(simulator, 'stop-1').length;
    await quiet(100);
    expect(taskRequests(simulator, 'stop-1')).toHaveLength(after);
  });
});

describe('videoTaskUpdated over SSE', () => {
  it('should stream the task until it completes', async () => {
    const simulator = await startSimulator({ durationMs: 200 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const results = await sse(endpoint, VideoTaskUpdated, { id: 'sse-1' }, { authorization: 'Bearer t1' });
    expect(results.length).toBeGreaterThan(1);
    expect(results.at(-1)?.data?.videoTaskUpdated).toMatchObject({ status: 'SUCCESS', videoUrl: `${simulator.url}/samples/sse-1.mp4` });
  });

  it('should share one loop between SSE and websocket subscribers', async () => {
    const simulator = await startSimulator({ durationMs: 300 });
    const { endpoint, wsEndpoint, gateway } = await startGateway({ upstreamUrl: simulator.url });
    const ws = collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'mixed-1' });
    const viaSse = sse(endpoint, VideoTaskUpdated, { id: 'mixed-1' }, { authorization: 'Bearer t1' });
    await waitFor(() => gateway.stats.subscribers === 2);
    expect(gateway.stats.pollLoops).toBe(1);
    const [a, b] = await Promise.all([ws.done, viaSse]);
    expect(a.at(-1)).toEqual(b.at(-1));
    expect(Math.max(...taskRequests(simulator, 'mixed-1').map((r) => r.inFlightForTask))).toBe(1);
  });

  it('should end with a coded error for an unknown task', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.addUnknown('ghost-sse');
    const results = await sse(endpoint, VideoTaskUpdated, { id: 'ghost-sse' }, { authorization: 'Bearer t1' });
    expect(results.map(codes)).toEqual([['TASK_NOT_FOUND']]);
  });
});
