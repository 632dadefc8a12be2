import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/errors.js';
import type { Simulator } from '../src/simulator/index.js';
import { createUpstreamClient, interpret, parseRetryAfter, type FetchResult, type UpstreamClient } from '../src/upstream/client.js';
import { normalizeTask } from '../src/upstream/normalize.js';
import { onDispose, startSimulator, waitFor } from './helpers.js';

const TOKEN = 'sk-test-client-0123456789';

function client(simulator: Simulator, options: { timeoutMs?: number } = {}): UpstreamClient {
  const created = createUpstreamClient({ baseUrl: simulator.url, ...options });
  onDispose(() => created.dispose());
  return created;
}

function expectFailure(result: FetchResult) {
  if (result.ok) throw new Error(`expected a failure, got the task ${JSON.stringify(result.task)}`);
  return result.failure;
}

function expectTask(result: FetchResult) {
  if (!result.ok) throw new Error(`expected a task, got the failure ${JSON.stringify(result.failure)}`);
  return result.task;
}

describe('createUpstreamClient', () => {
  let simulator: Simulator;
  let upstream: UpstreamClient;

  beforeAll(async () => {
    // A zero duration makes every task finished on first sight.
    simulator = await startSimulator({ durationMs: 0 });
    upstream = client(simulator);
  });

  afterEach(() => {
    simulator.clearFaults();
    simulator.setShape('documented');
    simulator.setLatency(0);
    simulator.requests.length = 0;
  });

  it('should parse and normalize a task of the documented shape', async () => {
    const task = normalizeTask('task_doc', expectTask(await upstream.fetchTask(TOKEN, 'task_doc')));
    expect(task).toMatchObject({
      id: 'task_doc',
      status: 'SUCCESS',
      progress: 100,
      videoUrl: `${simulator.url}/samples/task_doc.mp4`,
      error: null,
      action: 'generate',
      upstreamStatus: 'success',
    });
    expect(task.submittedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
  });

  it('should parse and normalize a task of the current shape', async () => {
    simulator.setShape('current');
    const task = normalizeTask('task_cur', expectTask(await upstream.fetchTask(TOKEN, 'task_cur')));
    expect(task).toMatchObject({
      id: 'task_cur',
      status: 'SUCCESS',
      progress: 100,
      videoUrl: `${simulator.url}/samples/task_cur.mp4`,
      error: null,
      action: 'generate',
      upstreamStatus: 'SUCCESS',
    });
  });

  it('should parse and normalize a failed task of the current shape', async () => {
    simulator.setShape('current');
    const task = normalizeTask('task_fail_cur', expectTask(await upstream.fetchTask(TOKEN, 'task_fail_cur')));
    expect(task).toMatchObject({ status: 'FAILURE', videoUrl: null, upstreamStatus: 'FAILURE' });
    expect(task.error).toContain('content filter');
  });

  it('should pass odd raw values through for normalization to judge', async () => {
    simulator.setTask('task_odd', { status: 'WEIRD', progress: 42.4, submit_time: '1705334400', extra: { nested: 1 } });
    const raw = expectTask(await upstream.fetchTask(TOKEN, 'task_odd'));
    expect(raw).toMatchObject({ status: 'WEIRD', progress: 42.4, submit_time: '1705334400' });
    expect(normalizeTask('task_odd', raw)).toMatchObject({ status: 'UNKNOWN', progress: 42, submittedAt: '2024-01-15T16:00:00.000Z' });
  });

  it('should send the id as one percent-encoded path segment', async () => {
    await upstream.fetchTask(TOKEN, 'task:a.b-c_d');
    expect(simulator.requests).toHaveLength(1);
    expect(simulator.requests[0]).toMatchObject({ method: 'GET', path: '/v1/video/generations/task%3Aa.b-c_d', taskId: 'task:a.b-c_d' });
  });

  it('should forward the bearer token', async () => {
    await upstream.fetchTask(TOKEN, 'task_token');
    expect(simulator.requests[0]?.token).toBe(TOKEN);
  });

  it.each(['../x', 'a/b', '', 'a'.repeat(129), '%2F', '%2e%2e', 'task a', 'task\n', '.hidden', '-x', 'tâche'])(
    'should fail with BAD_USER_INPUT and make no request for the invalid id %j',
    async (id) => {
      const failure = expectFailure(await upstream.fetchTask(TOKEN, id));
      expect(failure.code).toBe(ErrorCode.BadUserInput);
      expect(simulator.requests).toHaveLength(0);
    },
  );

  it('should accept an id of 128 characters', async () => {
    const id = 'a'.repeat(128);
    expectTask(await upstream.fetchTask(TOKEN, id));
    expect(simulator.requests[0]?.taskId).toBe(id);
  });

  it('should fail with TASK_NOT_FOUND for a task the upstream does not know', async () => {
    simulator.addUnknown('task_unknown');
    const failure = expectFailure(await upstream.fetchTask(TOKEN, 'task_unknown'));
    expect(failure.code).toBe(ErrorCode.TaskNotFound);
    expect(simulator.requests[0]?.status).toBe(400);
  });

  it('should fail with UNAUTHENTICATED when the upstream answers 401', async () => {
    simulator.refuseToken('sk-refused');
    const result = await upstream.fetchTask('sk-refused', 'task_a');
    expect(expectFailure(result).code).toBe(ErrorCode.Unauthenticated);
    expect(result).toMatchObject({ status: 401 });
  });

  it('should fail with FORBIDDEN when the upstream answers 403', async () => {
    simulator.forbidToken('sk-forbidden');
    const result = await upstream.fetchTask('sk-forbidden', 'task_a');
    expect(expectFailure(result).code).toBe(ErrorCode.Forbidden);
    expect(result).toMatchObject({ status: 403 });
  });

  it('should fail with UPSTREAM_UNAVAILABLE when the upstream answers 503', async () => {
    simulator.injectFault({ type: 'status', status: 503 });
    const failure = expectFailure(await upstream.fetchTask(TOKEN, 'task_a'));
    expect(failure.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(failure.message).toContain('503');
    expect(failure.retryAfterMs).toBeUndefined();
  });

  it('should fail with UPSTREAM_UNAVAILABLE when the upstream answers 429', async () => {
    simulator.injectFault({ type: 'status', status: 429 });
    const failure = expectFailure(await upstream.fetchTask(TOKEN, 'task_a'));
    expect(failure.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(failure.message).toMatch(/rate limit/);
  });

  it('should carry the Retry-After of a 429 as retryAfterMs', async () => {
    simulator.injectFault({ type: 'status', status: 429, headers: { 'retry-after': '2' } });
    const failure = expectFailure(await upstream.fetchTask(TOKEN, 'task_a'));
    expect(failure).toMatchObject({ code: ErrorCode.UpstreamUnavailable, retryAfterMs: 2000 });
  });

  it('should fail with UPSTREAM_UNAVAILABLE mentioning the timeout when the upstream hangs', async () => {
    const short = client(simulator, { timeoutMs: 100 });
    simulator.injectFault({ type: 'hang' });
    const failure = expectFailure(await short.fetchTask(TOKEN, 'task_a'));
    expect(failure.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(failure.message).toContain('100 ms');
  });

  it('should fail with UPSTREAM_UNAVAILABLE mentioning the timeout when the answer is slower than the timeout', async () => {
    const short = client(simulator, { timeoutMs: 50 });
    simulator.setLatency(1000);
    const before = simulator.requests.length;
    const failure = expectFailure(await short.fetchTask(TOKEN, 'task_a'));
    expect(failure.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(failure.message).toContain('50 ms');
    // On a busy machine the aborted request may reach the simulator only now: let it arrive here,
    // not take the next test's fault (it never arrives when aborted before connecting).
    await waitFor(() => simulator.requests.length > before, { timeoutMs: 2000 }).catch(() => undefined);
  });

  it('should fail with UPSTREAM_BAD_RESPONSE on a truncated JSON body', async () => {
    simulator.injectFault({ type: 'garbage' });
    const failure = expectFailure(await upstream.fetchTask(TOKEN, 'task_a'));
    expect(failure.code).toBe(ErrorCode.UpstreamBadResponse);
    expect(failure.message).not.toContain('task_');
  });

  it('should fail with UPSTREAM_BAD_RESPONSE saying UPSTREAM_URL is probably wrong on an HTML page', async () => {
    simulator.injectFault({ type: 'html' });
    const failure = expectFailure(await upstream.fetchTask(TOKEN, 'task_a'));
    expect(failure.code).toBe(ErrorCode.UpstreamBadResponse);
    expect(failure.message).toContain('UPSTREAM_URL is probably wrong');
    expect(failure.message).not.toContain('It works');
  });

  it('should fail with UPSTREAM_UNAVAILABLE when the upstream resets the connection', async () => {
    simulator.injectFault({ type: 'reset' });
    const failure = expectFailure(await upstream.fetchTask(TOKEN, 'task_a'));
    expect(failure.code).toBe(ErrorCode.UpstreamUnavailable);
  });

  it('should fail with UPSTREAM_UNAVAILABLE when the upstream refuses connections', async () => {
    const stopped = await startSimulator();
    await stopped.stop();
    const failure = expectFailure(await client(stopped).fetchTask(TOKEN, 'task_a'));
    expect(failure.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(failure.message).toContain('ECONNREFUSED');
  });

  it('should work again once the upstream is back', async () => {
    const flaky = await startSimulator({ durationMs: 0 });
    const upstreamOfFlaky = client(flaky);
    await flaky.stop();
    expect(expectFailure(await upstreamOfFlaky.fetchTask(TOKEN, 'task_a')).code).toBe(ErrorCode.UpstreamUnavailable);
    await flaky.start();
    expect(expectTask(await upstreamOfFlaky.fetchTask(TOKEN, 'task_a')).status).toBe('success');
  });

  it('should fail with UPSTREAM_BAD_RESPONSE on a body larger than maxBodyBytes', async () => {
    const small = createUpstreamClient({ baseUrl: simulator.url, maxBodyBytes: 64 });
    onDispose(() => small.dispose());
    const failure = expectFailure(await small.fetchTask(TOKEN, 'task_big'));
    expect(failure.code).toBe(ErrorCode.UpstreamBadResponse);
    expect(failure.message).toContain('64 bytes');
  });

  it('should remove a trailing slash from the base URL', async () => {
    const slashed = createUpstreamClient({ baseUrl: `${simulator.url}/` });
    onDispose(() => slashed.dispose());
    expectTask(await slashed.fetchTask(TOKEN, 'task_slash'));
    expect(simulator.requests[0]?.path).toBe('/v1/video/generations/task_slash');
  });
});

describe('interpret', () => {
  const json = { 'content-type': 'application/json' };
  const task = { task_id: 'task_a', status: 'queued', progress: '10%', fail_reason: '', submit_time: 1705334400 };

  it('should take the task out of the envelope', () => {
    expect(interpret(200, json, JSON.stringify({ code: 'success', data: task }))).toEqual({ ok: true, task });
  });

  it('should accept a task sent without the envelope', () => {
    expect(interpret(200, json, JSON.stringify(task))).toEqual({ ok: true, task });
  });

  it('should map 404 to TASK_NOT_FOUND', () => {
    expect(expectFailure(interpret(404, json, '{"code":"not_found"}')).code).toBe(ErrorCode.TaskNotFound);
  });

  it('should map a 200 with the code task_not_exist to TASK_NOT_FOUND', () => {
    expect(expectFailure(interpret(200, json, '{"code":"task_not_exist"}')).code).toBe(ErrorCode.TaskNotFound);
  });

  it('should map a 400 whose message is task_not_exist to TASK_NOT_FOUND', () => {
    expect(expectFailure(interpret(400, json, '{"code":"fail","message":"task_not_exist","data":null}')).code).toBe(ErrorCode.TaskNotFound);
  });

  it('should map other 4xx answers to UPSTREAM_BAD_RESPONSE', () => {
    expect(expectFailure(interpret(400, json, '{"code":"invalid_request"}')).code).toBe(ErrorCode.UpstreamBadResponse);
  });

  it('should map data: null to UPSTREAM_BAD_RESPONSE', () => {
    expect(expectFailure(interpret(200, json, '{"code":"success","data":null}')).code).toBe(ErrorCode.UpstreamBadResponse);
  });

  it('should map a JSON array to UPSTREAM_BAD_RESPONSE', () => {
    expect(expectFailure(interpret(200, json, JSON.stringify([task]))).code).toBe(ErrorCode.UpstreamBadResponse);
  });

  it('should map an error code without a task to UPSTREAM_BAD_RESPONSE', () => {
    expect(expectFailure(interpret(200, json, '{"code":"quota_exceeded","message":"no"}')).code).toBe(ErrorCode.UpstreamBadResponse);
  });

  it('should map an empty body to UPSTREAM_BAD_RESPONSE', () => {
    expect(expectFailure(interpret(200, json, '')).code).toBe(ErrorCode.UpstreamBadResponse);
  });

  it('should recognize an HTML page by its content, whatever the content type', () => {
    expect(expectFailure(interpret(200, json, '  <html><body>hi</body></html>')).message).toContain('UPSTREAM_URL is probably wrong');
  });

  it('should map 500 to UPSTREAM_UNAVAILABLE with the status in the message', () => {
    const failure = expectFailure(interpret(500, json, 'oops'));
    expect(failure).toEqual({ code: ErrorCode.UpstreamUnavailable, message: 'The upstream answered HTTP 500.' });
  });

  it('should read Retry-After on a 503 too', () => {
    expect(expectFailure(interpret(503, { ...json, 'retry-after': '5' }, '')).retryAfterMs).toBe(5000);
  });

  describe('should never put the upstream body in a failure message', () => {
    const secret = 'SECRET-UPSTREAM-DETAIL Bearer sk-leaked';
    const cases: [string, number, Record<string, string>, string][] = [
      ['401', 401, json, JSON.stringify({ code: 'invalid_token', message: secret })],
      ['403', 403, json, JSON.stringify({ code: 'forbidden', message: secret })],
      ['404', 404, json, JSON.stringify({ code: 'not_found', message: secret })],
      ['400 task_not_exist', 400, json, JSON.stringify({ code: 'task_not_exist', message: secret, data: null })],
      ['429', 429, json, JSON.stringify({ message: secret })],
      ['502 text', 502, { 'content-type': 'text/plain' }, secret],
      ['418', 418, json, JSON.stringify({ message: secret })],
      ['200 not JSON', 200, json, `{"broken": "${secret}`],
      ['200 HTML', 200, { 'content-type': 'text/html' }, `<html>${secret}</html>`],
      ['200 error code', 200, json, JSON.stringify({ code: secret, message: secret, data: null })],
      ['200 data null', 200, json, JSON.stringify({ code: 'success', message: secret, data: null })],
      ['200 data string', 200, json, JSON.stringify({ code: 'success', data: secret })],
      ['200 array', 200, json, JSON.stringify([secret])],
    ];
    it.each(cases)('for %s', (_name, status, headers, body) => {
      const failure = expectFailure(interpret(status, headers, body));
      expect(failure.message).not.toContain('SECRET-UPSTREAM-DETAIL');
      expect(failure.message).not.toContain('sk-leaked');
    });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it('should read seconds as milliseconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('should read an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
  });

  it('should read an HTTP date in the past as 0', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });

  it('should take the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '10'], now)).toBe(3000);
  });

  it('should give undefined when absent or empty', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter([], now)).toBeUndefined();
  });

  it('should give undefined for garbage', () => {
    expect(parseRetryAfter('garbage', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it.each(['soon 5', 'x 1', '-1', 'in 2 minutes'])('should give undefined for %j, which is neither seconds nor an HTTP date', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('should cap the wait at a minute', () => {
    expect(parseRetryAfter('3600', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 09:28:00 GMT', now)).toBe(60_000);
  });
});

describe('createUpstreamClient timeouts', () => {
  it('should bound the whole request, also when the body arrives drop by drop', async () => {
    const { createServer } = await import('node:http');
    const timers: NodeJS.Timeout[] = [];
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // A byte every 50 ms: no pause ever reaches the timeout, the whole answer does.
      const drip = setInterval(() => res.write(' '), 50);
      timers.push(drip);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    onDispose(async () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as { port: number };
    const slow = createUpstreamClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 300 });
    onDispose(() => slow.dispose());
    const result = await slow.fetchTask(TOKEN, 'drip-1');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure.code).toBe(ErrorCode.UpstreamUnavailable);
    expect(!result.ok && result.transport).toBe('timeout');
  });
});
