import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSimulator,
  SIMULATED_CREATE_FAILURES,
  SIMULATED_FAIL_REASON,
  SIMULATED_LEGACY_MODEL,
  simulateTaskData,
  simulateTimeline,
  type Simulator,
  type SimulatorOptions,
} from '../src/simulator/index.js';

const T0 = 1_700_000_000_000;
const T0_SECONDS = T0 / 1000;

const disposes: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(disposes.splice(0).map((dispose) => dispose()));
});

async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await createSimulator(options);
  disposes.push(() => simulator.dispose());
  return simulator;
}

/** A simulator whose clock only moves when the test says so. */
async function startPinned(options: SimulatorOptions = {}) {
  const clock = { now: T0 };
  const simulator = await startSimulator({ durationMs: 100_000, now: () => clock.now, ...options });
  return { simulator, clock };
}

const bearer = (token = 'tok') => ({ authorization: `Bearer ${token}` });

function taskUrl(simulator: Simulator, id: string): string {
  return `${simulator.url}/v1/video/generations/${encodeURIComponent(id)}`;
}

async function getTask(simulator: Simulator, id: string, token = 'tok') {
  const response = await fetch(taskUrl(simulator, id), { headers: bearer(token) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

/**
 * fetch's pool may still hold a keep-alive socket that stop() destroyed but the client has not
 * noticed yet; a request written to it fails without reaching the server, as after a real outage.
 */
function getTaskAfterRestart(simulator: Simulator, id: string, token = 'tok') {
  return waitFor(() => getTask(simulator, id, token).catch(() => undefined));
}

async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs}ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('timeline', () => {
  it('should move through not started, queued, in progress and success as the fraction of the duration grows', () => {
    const phases = [0, 99, 100, 249, 250, 999, 1000, 5000].map((ms) => simulateTimeline('task_a', ms, 1000).phase);
    expect(phases).toEqual(['not_start', 'not_start', 'queued', 'queued', 'in_progress', 'in_progress', 'success', 'success']);
  });

  it('should raise in-progress progress as integers from 10 to 99 without going backwards', () => {
    const progress = Array.from({ length: 751 }, (_, i) => simulateTimeline('task_a', 250 + i, 1000))
      .filter((state) => state.phase === 'in_progress')
      .map((state) => state.progress);
    expect(progress[0]).toBe(10);
    expect(progress.at(-1)).toBe(99);
    expect(progress.every((value, i) => Number.isInteger(value) && value >= (progress[i - 1] ?? 0))).toBe(true);
  });

  it('should fail ids containing "fail" in any case at 60% of the duration', () => {
    expect(simulateTimeline('task_FaIl_1', 599, 1000)).toEqual({ phase: 'in_progress', progress: 51, startedAfterMs: 250 });
    expect(simulateTimeline('task_FaIl_1', 600, 1000)).toEqual({
      phase: 'failure',
      progress: 100,
      startedAfterMs: 250,
      finishedAfterMs: 600,
    });
  });

  it('should treat a zero duration as already finished', () => {
    expect(simulateTimeline('task_a', 0, 0).phase).toBe('success');
  });

  it('should report the not-started phase as NOT_START in the current shape and queued in the documented one', () => {
    const input = { taskId: 'task_a', elapsedMs: 0, durationMs: 1000, submittedAt: T0, videoUrl: 'v', numericId: 1 };
    expect(simulateTaskData({ ...input, shape: 'current' })).toMatchObject({ status: 'NOT_START', progress: '0%' });
    expect(simulateTaskData({ ...input, shape: 'documented' })).toMatchObject({ status: 'queued', progress: '0%' });
  });
});

describe('task status', () => {
  it('should answer every phase in exactly the documented shape', async () => {
    const { simulator, clock } = await startPinned();
    const at = async (ms: number) => {
      clock.now = T0 + ms;
      return (await getTask(simulator, 'task_abc')).body;
    };
    const times = (start: number, finish: number) => ({ submit_time: T0_SECONDS, start_time: start, finish_time: finish });
    const data = { task_id: 'task_abc', action: 'generate' };

    expect(await at(0)).toEqual({ code: 'success', data: { ...data, status: 'queued', progress: '0%', fail_reason: '', ...times(0, 0) } });
    expect(await at(15_000)).toEqual({ code: 'success', data: { ...data, status: 'queued', progress: '10%', fail_reason: '', ...times(0, 0) } });
    expect(await at(62_500)).toEqual({
      code: 'success',
      data: { ...data, status: 'in_progress', progress: '55%', fail_reason: '', ...times(T0_SECONDS + 25, 0) },
    });
    expect(await at(100_000)).toEqual({
      code: 'success',
      data: {
        ...data,
        status: 'success',
        progress: '100%',
        fail_reason: `${simulator.url}/samples/task_abc.mp4`,
        ...times(T0_SECONDS + 25, T0_SECONDS + 100),
      },
    });
  });

  it('should answer success and failure in the current shape with uppercase status, result_url and the extra fields', async () => {
    const { simulator, clock } = await startPinned({ shape: 'current' });
    await getTask(simulator, 'task_ok');
    await getTask(simulator, 'task_will_fail');
    clock.now = T0 + 100_000;
    const extras = { action: 'generate', platform: 'doubao', user_id: 1, channel_id: 1, quota: 0, properties: {} };

    expect((await getTask(simulator, 'task_ok')).body).toEqual({
      code: 'success',
      message: '',
      data: {
        ...extras,
        id: 1,
        task_id: 'task_ok',
        status: 'SUCCESS',
        progress: '100%',
        fail_reason: '',
        result_url: `${simulator.url}/samples/task_ok.mp4`,
        submit_time: T0_SECONDS,
        start_time: T0_SECONDS + 25,
        finish_time: T0_SECONDS + 100,
        created_at: T0_SECONDS,
        updated_at: T0_SECONDS + 100,
      },
    });
    expect((await getTask(simulator, 'task_will_fail')).body).toEqual({
      code: 'success',
      message: '',
      data: {
        ...extras,
        id: 2,
        task_id: 'task_will_fail',
        status: 'FAILURE',
        progress: '100%',
        fail_reason: SIMULATED_FAIL_REASON,
        result_url: '',
        submit_time: T0_SECONDS,
        start_time: T0_SECONDS + 25,
        finish_time: T0_SECONDS + 60,
        created_at: T0_SECONDS,
        updated_at: T0_SECONDS + 60,
      },
    });
  });

  it('should carry the failure reason in fail_reason in the documented shape', async () => {
    const { simulator, clock } = await startPinned();
    await getTask(simulator, 'task_fail');
    clock.now = T0 + 60_000;
    expect((await getTask(simulator, 'task_fail')).body.data).toMatchObject({ status: 'failure', progress: '100%', fail_reason: SIMULATED_FAIL_REASON });
  });

  it('should switch shape at run time', async () => {
    const { simulator } = await startPinned();
    expect((await getTask(simulator, 'task_a')).body.data.status).toBe('queued');
    simulator.setShape('current');
    expect((await getTask(simulator, 'task_a')).body).toMatchObject({ message: '', data: { status: 'NOT_START', platform: 'doubao' } });
    simulator.setShape('documented');
    expect((await getTask(simulator, 'task_a')).body.data).not.toHaveProperty('platform');
  });

  it('should start the timeline on the first ask by any token, not per token', async () => {
    const { simulator, clock } = await startPinned();
    await getTask(simulator, 'task_shared', 'alice');
    clock.now = T0 + 50_000;
    expect((await getTask(simulator, 'task_shared', 'bob')).body.data).toMatchObject({ status: 'in_progress', submit_time: T0_SECONDS });
  });

  it('should reach success in real time when polled', async () => {
    const simulator = await startSimulator({ durationMs: 300 });
    const seen: string[] = [];
    await waitFor(async () => {
      const { body } = await getTask(simulator, 'task_live');
      seen.push(body.data.status);
      return body.data.status === 'success';
    });
    const order = ['queued', 'in_progress', 'success'];
    expect(seen.map((status) => order.indexOf(status))).toEqual([...seen.map((status) => order.indexOf(status))].sort());
    expect(seen).toContain('in_progress');
  });

  it('should apply a new duration to tasks already running', async () => {
    const { simulator, clock } = await startPinned();
    await getTask(simulator, 'task_a');
    clock.now = T0 + 50_000;
    expect((await getTask(simulator, 'task_a')).body.data.status).toBe('in_progress');
    simulator.setDuration(10_000);
    expect((await getTask(simulator, 'task_a')).body.data.status).toBe('success');
  });

  it('should serve the sample video of a finished task as video/mp4', async () => {
    const { simulator, clock } = await startPinned();
    await getTask(simulator, 'task a/b');
    clock.now = T0 + 100_000;
    const videoUrl: string = (await getTask(simulator, 'task a/b')).body.data.fail_reason;
    expect(videoUrl).toBe(`${simulator.url}/samples/task%20a%2Fb.mp4`);
    const response = await fetch(videoUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('should decode a percent-encoded task id', async () => {
    const { simulator } = await startPinned();
    const { body } = await getTask(simulator, 'tâsk 1/2?x');
    expect(body.data.task_id).toBe('tâsk 1/2?x');
    expect(simulator.requests[0]).toMatchObject({ taskId: 'tâsk 1/2?x', path: '/v1/video/generations/t%C3%A2sk%201%2F2%3Fx' });
  });

  it('should answer 400 to a task id that is not valid percent-encoding and keep serving', async () => {
    const { simulator } = await startPinned();
    const response = await fetch(`${simulator.url}/v1/video/generations/task%E0%A4%A`, { headers: bearer() });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_request' });
    expect((await getTask(simulator, 'task_a')).status).toBe(200);
  });
});

describe('task creation', () => {
  const create = (simulator: Simulator, body: unknown, token: string | null = 'tok') =>
    fetch(`${simulator.url}/v1/video/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('should create a queued task in the real shape, without an envelope, whose timeline starts at creation', async () => {
    const { simulator, clock } = await startPinned();
    const response = await create(simulator, { model: 'doubao-seedance-1-0-pro', prompt: 'a cat' });
    const created = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(created).toEqual({ id: created.id, task_id: created.id, object: 'video', model: 'doubao-seedance-1-0-pro', status: 'queued', progress: 0, created_at: T0_SECONDS });
    expect(created.id).toMatch(/^task_[A-Za-z0-9]+$/);
    expect(((await (await create(simulator, { model: 'm', prompt: 'a cat' })).json()) as any).id).not.toBe(created.id);

    clock.now = T0 + 50_000;
    expect((await getTask(simulator, created.id)).body.data).toMatchObject({ status: 'in_progress', submit_time: T0_SECONDS });
  });

  it('should log each create with its parsed body, so tests can count and inspect POSTs', async () => {
    const { simulator } = await startPinned();
    const body = { model: 'm', prompt: 'a dog', images: ['https://img.example/a.png'], seconds: '5', metadata: { ratio: '16:9', duration: 5 } };
    await create(simulator, body);
    await create(simulator, 'not json');
    expect(simulator.requests.map(({ method, path, body, status }) => ({ method, path, body, status }))).toEqual([
      { method: 'POST', path: '/v1/video/generations', body, status: 200 },
      { method: 'POST', path: '/v1/video/generations', body: undefined, status: 400 },
    ]);
  });

  it('should make a task that fails from a prompt mentioning "fail"', async () => {
    const { simulator, clock } = await startPinned();
    const created = (await (await create(simulator, { model: 'm', prompt: 'this should FAIL' })).json()) as any;
    clock.now = T0 + 100_000;
    expect((await getTask(simulator, created.id)).body.data).toMatchObject({ status: 'failure', fail_reason: SIMULATED_FAIL_REASON });
  });

  it('should answer with a provider cgt- id in both id and task_id for the legacy model', async () => {
    const { simulator } = await startPinned();
    const created = (await (await create(simulator, { model: SIMULATED_LEGACY_MODEL, prompt: 'a cat' })).json()) as any;
    expect(created.id).toMatch(/^cgt-\d{14}-[A-Za-z0-9]+$/);
    expect(created.task_id).toBe(created.id);
    expect((await getTask(simulator, created.id)).status).toBe(200);
  });

  it('should refuse invalid bodies with 400 invalid_request and a message naming the field', async () => {
    const { simulator } = await startPinned();
    const cases: [unknown, string][] = [
      ['[]', 'invalid request body'],
      [{ prompt: 'a cat' }, 'model is required'],
      [{ model: 'm' }, 'prompt is required'],
      [{ model: 'm', prompt: ' ' }, 'prompt is required'],
      [{ model: 'm', prompt: 'p', images: 'https://x' }, 'images must be an array'],
      [{ model: 'm', prompt: 'p', seconds: 5 }, 'seconds must be a string'],
      [{ model: 'm', prompt: 'p', metadata: [] }, 'metadata must be an object'],
      [{ model: 'm', prompt: 'p', metadata: { ratio: '2:1' } }, 'ratio must be one of'],
      [{ model: 'm', prompt: 'p', metadata: { resolution: '4k' } }, 'resolution must be one of'],
      [{ model: 'm', prompt: 'p', metadata: { duration: '5' } }, 'duration must be a number'],
    ];
    for (const [body, message] of cases) {
      const response = await create(simulator, body);
      expect([body, response.status]).toEqual([body, 400]);
      expect(await response.json()).toEqual({ code: 'invalid_request', message: expect.stringContaining(message), data: null });
    }
  });

  it('should play each documented error for its trigger model', async () => {
    const { simulator } = await startPinned();
    const expected: Record<string, [number, unknown]> = {
      'sim-no-price': [400, { code: 'model_price_error' }],
      'sim-provider-rejects': [400, { code: 'fail_to_fetch_task', message: expect.stringContaining('role must be specified for image contents') }],
      'sim-content-blocked': [451, { code: 'fail_to_fetch_task' }],
      'sim-quota-exceeded': [403, { error: { code: 'insufficient_user_quota' } }],
      'sim-forbidden': [403, { code: 'access_denied' }],
      'sim-rate-limited': [429, { error: { code: 'rate_limit_exceeded' } }],
      'sim-model-not-found': [503, { error: { code: 'model_not_found' } }],
      'sim-provider-down': [500, { code: 'fail_to_fetch_task' }],
      'sim-no-id': [200, { object: 'video', status: 'queued' }],
    };
    for (const [model, [status, body]] of Object.entries(expected)) {
      const response = await create(simulator, { model, prompt: 'p' });
      expect([model, response.status]).toEqual([model, status]);
      expect(await response.json()).toMatchObject(body as object);
      if (model === 'sim-rate-limited') expect(response.headers.get('retry-after')).toBe('7');
    }
    expect(Object.keys(SIMULATED_CREATE_FAILURES).sort()).toEqual([...Object.keys(expected), 'sim-connection-lost', 'sim-timeout'].sort());
  });

  it('should never answer the timeout model and drop the connection for the connection-lost model', async () => {
    const { simulator } = await startPinned();
    const lost = await create(simulator, { model: 'sim-connection-lost', prompt: 'p' }).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(Error);
    const hanging = create(simulator, { model: 'sim-timeout', prompt: 'p' }).catch((error: unknown) => error);
    await waitFor(() => simulator.requests.length === 2);
    expect(simulator.requests.map((r) => r.status)).toEqual([0, 0]);
    await simulator.stop();
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('should refuse to create a task without a bearer token', async () => {
    const { simulator } = await startPinned();
    const response = await create(simulator, { model: 'm', prompt: 'p' }, null);
    expect(response.status).toBe(401);
  });
});

describe('routing and auth', () => {
  it('should answer 404 not_found to anything else', async () => {
    const { simulator } = await startPinned();
    const probes: [string, string][] = [
      ['GET', '/'],
      ['GET', '/v1/video/generations'],
      ['GET', '/v1/video/generations/a/b'],
      ['DELETE', '/v1/video/generations/task_a'],
      ['GET', '/..%2F..%2Fetc/passwd'],
    ];
    for (const [method, path] of probes) {
      const response = await fetch(simulator.url + path, { method, headers: bearer() });
      expect([method, path, response.status]).toEqual([method, path, 404]);
      expect(await response.json()).toMatchObject({ code: 'not_found', message: expect.any(String) });
    }
    expect(simulator.requests.map((request) => request.status)).toEqual([404, 404, 404, 404, 404]);
  });

  it('should answer 401 unauthorized to a missing or malformed Authorization header', async () => {
    const { simulator } = await startPinned();
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer  ', 'tok']) {
      const response = await fetch(taskUrl(simulator, 'task_a'), { headers: authorization === undefined ? {} : { authorization } });
      expect([authorization, response.status]).toEqual([authorization, 401]);
      expect(await response.json()).toMatchObject({ code: 'unauthorized', message: expect.any(String) });
    }
  });

  it('should answer without a token when requireAuth is false', async () => {
    const { simulator } = await startPinned({ requireAuth: false });
    const response = await fetch(taskUrl(simulator, 'task_a'));
    expect(response.status).toBe(200);
    expect(simulator.requests[0]?.token).toBeUndefined();
  });

  it('should answer 401 invalid_token to a refused token and 403 forbidden to a forbidden one', async () => {
    const { simulator } = await startPinned();
    simulator.refuseToken('revoked');
    simulator.forbidToken('no-access');
    expect(await getTask(simulator, 'task_a', 'revoked')).toMatchObject({ status: 401, body: { code: 'invalid_token' } });
    expect(await getTask(simulator, 'task_a', 'no-access')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect((await getTask(simulator, 'task_a', 'fine')).status).toBe(200);
  });

  it('should answer 400 task_not_exist for unknown ids', async () => {
    const { simulator } = await startPinned();
    simulator.addUnknown('task_gone', 'task_lost');
    for (const id of ['task_gone', 'task_lost']) {
      const { status, body } = await getTask(simulator, id);
      expect(status).toBe(400);
      expect(body).toEqual({ code: 'task_not_exist', message: 'task_not_exist', data: null });
    }
  });

  it('should show a restricted task to its owner only', async () => {
    const { simulator } = await startPinned();
    simulator.restrictTask('task_private', 'alice');
    expect((await getTask(simulator, 'task_private', 'alice')).status).toBe(200);
    expect(await getTask(simulator, 'task_private', 'bob')).toMatchObject({ status: 400, body: { code: 'task_not_exist' } });
  });

  it('should merge pinned task data over the timeline and unpin with null', async () => {
    const { simulator } = await startPinned();
    simulator.setTask('task_a', { progress: '5%', status: 'weird', extra: [1] });
    expect((await getTask(simulator, 'task_a')).body.data).toMatchObject({ task_id: 'task_a', progress: '5%', status: 'weird', extra: [1] });
    simulator.setTask('task_a', null);
    expect((await getTask(simulator, 'task_a')).body.data).toMatchObject({ progress: '0%', status: 'queued' });
  });

  it('should add the latency before every answer', async () => {
    const simulator = await startSimulator({ latencyMs: 150 });
    for (const path of ['/v1/video/generations/task_a', '/nowhere']) {
      const started = performance.now();
      await (await fetch(simulator.url + path, { headers: bearer() })).text();
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    }
    simulator.setLatency(300);
    const started = performance.now();
    await getTask(simulator, 'task_a');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('should reject invalid control arguments with an error naming the contract', async () => {
    const { simulator } = await startPinned();
    expect(() => simulator.setLatency(-1)).toThrow(/setLatency/);
    expect(() => simulator.setDuration(Number.NaN)).toThrow(/setDuration/);
    expect(() => simulator.injectFault({ type: 'hang' }, 0)).toThrow(/positive integer/);
  });
});

describe('faults', () => {
  it('should play queued faults in order on the next task requests only', async () => {
    const { simulator } = await startPinned();
    simulator.injectFault({ type: 'status', status: 503 });
    simulator.injectFault({ type: 'status', status: 429, headers: { 'retry-after': '1' }, body: 'slow down' }, 2);

    const created = await fetch(`${simulator.url}/v1/video/generations`, { method: 'POST', headers: bearer(), body: '{"model":"m","prompt":"p"}' });
    expect(created.status).toBe(200);
    const first = await fetch(taskUrl(simulator, 'task_a'), { headers: bearer() });
    expect([first.status, await first.json()]).toEqual([503, { code: 'simulated_fault', message: 'Simulated HTTP 503.' }]);
    for (let i = 0; i < 2; i++) {
      const limited = await fetch(taskUrl(simulator, 'task_a'), { headers: bearer() });
      expect([limited.status, limited.headers.get('retry-after'), await limited.text()]).toEqual([429, '1', 'slow down']);
    }
    expect((await getTask(simulator, 'task_a')).status).toBe(200);
    expect(simulator.requests.map((request) => request.status)).toEqual([200, 503, 429, 429, 200]);
  });

  it('should answer 500 to a fault it cannot play and keep serving', async () => {
    const { simulator } = await startPinned();
    simulator.injectFault({ type: 'status', status: 42 });
    const response = await fetch(taskUrl(simulator, 'task_a'), { headers: bearer() });
    expect([response.status, await response.json()]).toEqual([500, { code: 'internal', message: 'Simulator error.' }]);
    expect((await getTask(simulator, 'task_a')).status).toBe(200);
    expect(simulator.requests.map((request) => request.status)).toEqual([500, 200]);
  });

  it('should drop queued faults on clearFaults', async () => {
    const { simulator } = await startPinned();
    simulator.injectFault({ type: 'status', status: 500 }, 3);
    simulator.clearFaults();
    expect((await getTask(simulator, 'task_a')).status).toBe(200);
  });

  it('should answer garbage that claims to be JSON', async () => {
    const { simulator } = await startPinned();
    simulator.injectFault({ type: 'garbage' });
    const response = await fetch(taskUrl(simulator, 'task_a'), { headers: bearer() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('should answer an HTML page', async () => {
    const { simulator } = await startPinned();
    simulator.injectFault({ type: 'html' });
    const response = await fetch(taskUrl(simulator, 'task_a'), { headers: bearer() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/^<!doctype html><html>.*<\/html>$/);
  });

  it('should reset the connection without answering and log status 0', async () => {
    const { simulator } = await startPinned();
    simulator.injectFault({ type: 'reset' });
    await expect(fetch(taskUrl(simulator, 'task_a'), { headers: bearer() })).rejects.toThrow();
    expect(simulator.requests[0]).toMatchObject({ taskId: 'task_a', status: 0 });
    expect((await getTask(simulator, 'task_a')).status).toBe(200);
  });

  it('should log a hanging request on arrival and end it on stop', async () => {
    const { simulator } = await startPinned();
    simulator.injectFault({ type: 'hang' });
    const hanging = fetch(taskUrl(simulator, 'task_a'), { headers: bearer('alice') });
    hanging.catch(() => {});
    const entry = await waitFor(() => simulator.requests[0]);
    expect(entry).toMatchObject({ method: 'GET', path: '/v1/video/generations/task_a', taskId: 'task_a', token: 'alice', status: 0 });
    expect(entry.at).toBeLessThanOrEqual(Date.now());
    await simulator.stop();
    await expect(hanging).rejects.toThrow();
    expect(entry.status).toBe(0);
  });

  it('should end hanging requests on dispose', async () => {
    const simulator = await createSimulator();
    simulator.injectFault({ type: 'hang' });
    const hanging = fetch(taskUrl(simulator, 'task_a'), { headers: bearer() });
    hanging.catch(() => {});
    await waitFor(() => simulator.requests.length === 1);
    await simulator.dispose();
    await expect(hanging).rejects.toThrow();
    await expect(simulator.start()).rejects.toThrow(/disposed/);
  });
});

describe('request log', () => {
  it('should count the requests in flight for the same token and task', async () => {
    const { simulator } = await startPinned();
    simulator.injectFault({ type: 'hang' }, 2);
    const ask = (token: string) => fetch(taskUrl(simulator, 'task_a'), { headers: bearer(token) }).catch(() => undefined);
    void ask('alice');
    await waitFor(() => simulator.requests.length === 1);
    void ask('alice');
    await waitFor(() => simulator.requests.length === 2);
    await ask('bob');
    await ask('alice');
    expect(simulator.requests.map((request) => [request.token, request.inFlightForTask])).toEqual([
      ['alice', 1],
      ['alice', 2],
      ['bob', 1],
      ['alice', 3],
    ]);

    await simulator.stop();
    await simulator.start();
    simulator.requests.length = 0;
    await getTaskAfterRestart(simulator, 'task_a', 'alice');
    expect(simulator.requests.at(-1)).toMatchObject({ token: 'alice', inFlightForTask: 1, status: 200 });
  });
});

describe('sample video', () => {
  it('should serve the committed MP4 fixture byte for byte at every task video URL', async () => {
    const simulator = await startSimulator();
    const response = await fetch(`${simulator.url}/samples/any-task.mp4`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(readFileSync(new URL('../src/simulator/sample.mp4', import.meta.url)))).toBe(true);
    // An ISO base media file: its first box is `ftyp`; and a real video, not a stub.
    expect(body.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(body.length).toBeGreaterThan(10_000);
  });
});

describe('outages', () => {
  it('should refuse connections while stopped and come back on the same port with its state', async () => {
    const { simulator, clock } = await startPinned();
    await getTask(simulator, 'task_a');
    const { url, port } = simulator;

    await simulator.stop();
    await expect(fetch(taskUrl(simulator, 'task_a'), { headers: bearer() })).rejects.toThrow();
    clock.now = T0 + 100_000;
    await simulator.start();

    expect([simulator.url, simulator.port]).toEqual([url, port]);
    expect((await getTaskAfterRestart(simulator, 'task_a')).body.data).toMatchObject({ status: 'success', submit_time: T0_SECONDS });
  });
});

describe('process entry', () => {
  it('should print its URL and a curl line, answer with the environment settings, and exit on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, SIMULATOR_PORT: '0', SIMULATOR_SHAPE: 'current', SIMULATOR_DURATION_MS: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    disposes.push(async () => void child.kill());
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await waitFor(() => /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]);
    expect(output).toMatch(/curl .*Bearer/);
    expect(output.trim().split('\n')).toHaveLength(1);

    const response = await fetch(`${url}/v1/video/generations/task_demo`, { headers: bearer() });
    expect(((await response.json()) as any).data.status).toBe('SUCCESS');

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });
});
