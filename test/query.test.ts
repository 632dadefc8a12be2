import { describe, expect, it } from 'vitest';
import { VideoTaskQuery, VideoTasksQuery } from './documents.js';
import { codes, execute, startGateway, startSimulator, taskRequests, waitFor } from './helpers.js';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('videoTask query', () => {
  it('should normalize a task in the documented shape', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('doc-1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/v/doc-1.mp4', submit_time: 1705334400, start_time: 1705334410, finish_time: 1705334520 });
    const result = await execute(endpoint, VideoTaskQuery, { id: 'doc-1' }, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.videoTask).toEqual({
      id: 'doc-1',
      status: 'SUCCESS',
      progress: 100,
      videoUrl: 'https://cdn.example.com/v/doc-1.mp4',
      error: null,
      submittedAt: '2024-01-15T16:00:00.000Z',
      startedAt: '2024-01-15T16:00:10.000Z',
      finishedAt: '2024-01-15T16:02:00.000Z',
      action: 'generate',
      upstreamStatus: 'success',
    });
  });

  it('should normalize a task in the shape current deployments send', async () => {
    const simulator = await startSimulator({ shape: 'current' });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('cur-1', { status: 'IN_PROGRESS', progress: 42, fail_reason: '', result_url: '' });
    const running = await execute(endpoint, VideoTaskQuery, { id: 'cur-1' }, auth('t1'));
    expect(running.data?.videoTask).toMatchObject({ status: 'IN_PROGRESS', progress: 42, videoUrl: null, error: null, upstreamStatus: 'IN_PROGRESS' });
    simulator.setTask('cur-2', { status: 'SUCCESS', progress: '100%', fail_reason: '', result_url: 'https://cdn.example.com/v/cur-2.mp4' });
    const done = await execute(endpoint, VideoTaskQuery, { id: 'cur-2' }, auth('t1'));
    expect(done.data?.videoTask).toMatchObject({ status: 'SUCCESS', progress: 100, videoUrl: 'https://cdn.example.com/v/cur-2.mp4', error: null });
  });

  it('should separate the failure reason into error', async () => {
    const simulator = await startSimulator({ durationMs: 1 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    await execute(endpoint, VideoTaskQuery, { id: 'will-fail' }, auth('t1'));
    const result = await waitFor(async () => {
      const r = await execute(endpoint, VideoTaskQuery, { id: 'will-fail' }, auth('t1'));
      return r.data?.videoTask?.status === 'FAILURE' ? r : undefined;
    });
    expect(result.data?.videoTask).toMatchObject({ status: 'FAILURE', videoUrl: null, error: expect.stringContaining('content filter') });
  });

  it('should answer null without an error for an unknown task', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.addUnknown('nope');
    const result = await execute(endpoint, VideoTaskQuery, { id: 'nope' }, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ videoTask: null });
  });

  it('should keep the order of videoTasks and answer null for unknown ids', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.addUnknown('gone');
    const result = await execute(endpoint, VideoTasksQuery, { ids: ['c', 'gone', 'a', 'b'] }, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(result.data?.videoTasks.map((t) => t?.id ?? null)).toEqual(['c', null, 'a', 'b']);
  });

  it('should fetch each distinct id once per operation, however many fields ask for it', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const query = `{
      a: videoTask(id: "k1") { id } b: videoTask(id: "k2") { status } c: videoTask(id: "k1") { progress }
      d: videoTask(id: "k3") { id } e: videoTask(id: "k2") { id }
      list: videoTasks(ids: ["k1", "k2", "k3", "k1"]) { id }
    }`;
    const result = await execute(endpoint, query, undefined, auth('t1'));
    expect(result.errors).toBeUndefined();
    expect(taskRequests(simulator).map((r) => r.taskId).sort()).toEqual(['k1', 'k2', 'k3']);
  });

  it('should serve a finished task again from the cache at no upstream cost', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('done-1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/v.mp4' });
    for (let i = 0; i < 3; i++) {
      const result = await execute(endpoint, VideoTaskQuery, { id: 'done-1' }, auth('t1'));
      expect(result.data?.videoTask?.status).toBe('SUCCESS');
    }
    expect(taskRequests(simulator, 'done-1')).toHaveLength(1);
  });

  it('should fetch an unfinished task fresh on every operation by default', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('run-1', { status: 'in_progress', progress: '30%' });
    await execute(endpoint, VideoTaskQuery, { id: 'run-1' }, auth('t1'));
    simulator.setTask('run-1', { status: 'in_progress', progress: '31%' });
    const second = await execute(endpoint, VideoTaskQuery, { id: 'run-1' }, auth('t1'));
    expect(second.data?.videoTask?.progress).toBe(31);
    expect(taskRequests(simulator, 'run-1')).toHaveLength(2);
  });

  it('should serve an unfinished task within TASK_FRESHNESS_MS from the cache', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, taskFreshnessMs: 60_000 });
    simulator.setTask('run-2', { status: 'in_progress', progress: '30%' });
    await execute(endpoint, VideoTaskQuery, { id: 'run-2' }, auth('t1'));
    const second = await execute(endpoint, VideoTaskQuery, { id: 'run-2' }, auth('t1'));
    expect(second.data?.videoTask?.progress).toBe(30);
    expect(taskRequests(simulator, 'run-2')).toHaveLength(1);
  });
});

describe('errors', () => {
  it('should answer BAD_USER_INPUT for an invalid id without calling the upstream', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    for (const id of ['../etc', 'a/b', '', ' x', 'x'.repeat(129), 'http://evil.example/x', '%2e%2e', 'ä']) {
      const result = await execute(endpoint, VideoTaskQuery, { id }, auth('t1'));
      expect(codes(result), id).toEqual(['BAD_USER_INPUT']);
      expect(result.data).toEqual({ videoTask: null });
    }
    expect(simulator.requests).toHaveLength(0);
  });

  it('should answer BAD_USER_INPUT for more than 100 ids', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`);
    const result = await execute(endpoint, VideoTasksQuery, { ids }, auth('t1'));
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors?.[0]?.message).toContain('at most 100');
    expect(simulator.requests).toHaveLength(0);
  });

  it('should answer UNAUTHENTICATED without calling the upstream when no credential is given or configured', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: undefined });
    const result = await execute(endpoint, VideoTaskQuery, { id: 'a' });
    expect(codes(result)).toEqual(['UNAUTHENTICATED']);
    const malformed = await execute(endpoint, VideoTaskQuery, { id: 'a' }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(codes(malformed)).toEqual(['UNAUTHENTICATED']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('should answer UNAUTHENTICATED when the upstream refuses the token and FORBIDDEN on 403', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.refuseToken('bad');
    simulator.forbidToken('limited');
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'a' }, auth('bad')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'a' }, auth('limited')))).toEqual(['FORBIDDEN']);
  });

  it('should answer UPSTREAM_UNAVAILABLE on 5xx, 429 and when the upstream is down', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.injectFault({ type: 'status', status: 502 }, 5);
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'a' }, auth('t1')))).toEqual(['UPSTREAM_UNAVAILABLE']);
    simulator.clearFaults();
    simulator.injectFault({ type: 'status', status: 429, headers: { 'retry-after': '1' } }, 5);
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'b' }, auth('t1')))).toEqual(['UPSTREAM_UNAVAILABLE']);
    simulator.clearFaults();
    await simulator.stop();
    expect(codes(await execute(endpoint, VideoTaskQuery, { id: 'c' }, auth('t1')))).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('should answer UPSTREAM_UNAVAILABLE when the upstream does not answer within the timeout', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamTimeoutMs: 200 });
    simulator.injectFault({ type: 'hang' }, 5);
    const result = await execute(endpoint, VideoTaskQuery, { id: 'a' }, auth('t1'));
    expect(codes(result)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(result.errors?.[0]?.message).toContain('200 ms');
  });

  it('should answer UPSTREAM_BAD_RESPONSE for garbage and point at UPSTREAM_URL for an HTML page', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.injectFault({ type: 'garbage' }, 5);
    const garbage = await execute(endpoint, VideoTaskQuery, { id: 'a' }, auth('t1'));
    expect(codes(garbage)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    simulator.clearFaults();
    simulator.injectFault({ type: 'html' }, 5);
    const html = await execute(endpoint, VideoTaskQuery, { id: 'b' }, auth('t1'));
    expect(codes(html)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect(html.errors?.[0]?.message).toContain('UPSTREAM_URL');
    expect(JSON.stringify(html)).not.toContain('<html');
  });

  it('should give every error a code and mask unexpected ones', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, production: true });
    const syntax = await execute(endpoint, '{ videoTask(id: ', undefined, auth('t1'));
    expect(codes(syntax)).toEqual(['GRAPHQL_PARSE_FAILED']);
    const validation = await execute(endpoint, '{ videoTask(id: "a") { nope } }', undefined, auth('t1'));
    expect(codes(validation)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('credentials', () => {
  it('should forward the client token to the upstream and fall back to UPSTREAM_API_KEY', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'server-key' });
    await execute(endpoint, VideoTaskQuery, { id: 'f1' }, auth('client-key'));
    await execute(endpoint, VideoTaskQuery, { id: 'f2' });
    expect(taskRequests(simulator).map((r) => [r.taskId, r.token])).toEqual([
      ['f1', 'client-key'],
      ['f2', 'server-key'],
    ]);
  });

  it('should never serve a task fetched with one credential to another', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.restrictTask('private-1', 'alice');
    simulator.setTask('private-1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/alice.mp4' });
    const alice = await execute(endpoint, VideoTaskQuery, { id: 'private-1' }, auth('alice'));
    expect(alice.data?.videoTask?.videoUrl).toBe('https://cdn.example.com/alice.mp4');
    const bob = await execute(endpoint, VideoTaskQuery, { id: 'private-1' }, auth('bob'));
    expect(bob.data).toEqual({ videoTask: null });
    expect(taskRequests(simulator, 'private-1').map((r) => r.token)).toEqual(['alice', 'bob']);
  });
});

describe('documents with several operations', () => {
  it('should run the operation named in each request, whichever ran first', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('multi-1', { status: 'in_progress', progress: '25%' });
    const document = 'query A { videoTask(id: "multi-1") { id } } query B { videoTask(id: "multi-1") { progress } }';
    const post = (operationName: string) =>
      fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...auth('t1') }, body: JSON.stringify({ query: document, operationName }) }).then((r) => r.json());
    expect(await post('A')).toEqual({ data: { videoTask: { id: 'multi-1' } } });
    expect(await post('B')).toEqual({ data: { videoTask: { progress: 25 } } });
    expect(await post('A')).toEqual({ data: { videoTask: { id: 'multi-1' } } });
  });
});
