import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../src/errors.js';
import type { Simulator } from '../src/simulator/index.js';
import { createUpstreamClient, type UpstreamClient } from '../src/upstream/client.js';
import { canonicalJson, createRequestBody, inputFingerprint } from '../src/upstream/create-request.js';
import { interpretCreate, type CreateResult } from '../src/upstream/create-response.js';
import { cleanUpstreamMessage, upstreamCodes, upstreamMessage } from '../src/upstream/upstream-message.js';
import { onDispose, startSimulator } from './helpers.js';

const TOKEN = 'sk-create-test-0123456789';

let simulator: Simulator;
let upstream: UpstreamClient;

beforeAll(async () => {
  simulator = await startSimulator();
  upstream = createUpstreamClient({ baseUrl: simulator.url, createTimeoutMs: 300 });
  onDispose(() => upstream.dispose());
});

beforeEach(() => {
  simulator.requests.length = 0;
});

function expectFailure(result: CreateResult) {
  if (result.ok) throw new Error(`expected a failure, got the task ${JSON.stringify(result.task)}`);
  return result;
}

describe('createRequestBody', () => {
  it('should send seconds as a string and metadata.duration as a number, both from durationSeconds', () => {
    expect(createRequestBody({ model: 'm', prompt: 'p', durationSeconds: 5 })).toEqual({ model: 'm', prompt: 'p', seconds: '5', metadata: { duration: 5 } });
  });

  it('should map every typed field into metadata in snake_case and the image URLs into images', () => {
    const body = createRequestBody({
      model: 'doubao-seedance-1-0-pro',
      prompt: 'a cat',
      imageUrls: ['https://img.example/first.png'],
      durationSeconds: 10,
      resolution: '1080p',
      ratio: '16:9',
      seed: 42,
      generateAudio: true,
      watermark: false,
      cameraFixed: true,
    });
    expect(body).toEqual({
      model: 'doubao-seedance-1-0-pro',
      prompt: 'a cat',
      images: ['https://img.example/first.png'],
      seconds: '10',
      metadata: { resolution: '1080p', ratio: '16:9', duration: 10, seed: 42, generate_audio: true, watermark: false, camera_fixed: true },
    });
  });

  it('should pass metadata through and let a typed field win over the same metadata key', () => {
    const body = createRequestBody({ model: 'm', prompt: 'p', ratio: '9:16', metadata: { ratio: '1:1', duration: 99, style: { motion: 'slow' } } });
    expect(body).toEqual({ model: 'm', prompt: 'p', metadata: { ratio: '9:16', duration: 99, style: { motion: 'slow' } } });
  });

  it('should leave out images, seconds and metadata when nothing fills them', () => {
    expect(createRequestBody({ model: 'm', prompt: 'p', imageUrls: [] })).toEqual({ model: 'm', prompt: 'p' });
  });
});

describe('canonical input', () => {
  it('should sort keys at every depth and leave out absent and null members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: null }], c: undefined } })).toBe('{"a":{"d":[1,{"z":1}]},"b":1}');
  });

  it('should give the same fingerprint to the same input written in another order, and another to a different one', () => {
    const a = inputFingerprint({ model: 'm', prompt: 'p', metadata: { x: 1, y: 2 } });
    expect(inputFingerprint({ metadata: { y: 2, x: 1 }, prompt: 'p', model: 'm', ratio: undefined })).toBe(a);
    expect(inputFingerprint({ model: 'm', prompt: 'p', metadata: { x: 1, y: 3 } })).not.toBe(a);
  });
});

describe('upstream messages', () => {
  it('should take the innermost message of a relayed provider body', () => {
    const body = JSON.stringify({
      code: 'fail_to_fetch_task',
      message: JSON.stringify({ error: { code: 'InvalidParameter', message: 'role must be specified for image contents' } }),
      data: null,
    });
    expect(upstreamMessage(body)).toBe('role must be specified for image contents');
    expect(upstreamCodes(body)).toEqual(['fail_to_fetch_task', 'InvalidParameter']);
  });

  it('should take error.message, and follow an error wrapping a relayed body', () => {
    expect(upstreamMessage('{"error":{"message":"prompt is required","code":"invalid_request"}}')).toBe('prompt is required');
    const wrapped = { error: { code: 'upstream_error', message: JSON.stringify({ code: 'fail_to_fetch_task', message: 'InvalidParameter.TaskTypeConstraint: ratio is not valid' }) } };
    expect(upstreamMessage(JSON.stringify(wrapped))).toBe('InvalidParameter.TaskTypeConstraint: ratio is not valid');
  });

  it('should pass on nothing of a raw body: HTML, plain text, JSON without a message', () => {
    expect(upstreamMessage('<html><body>502 Bad Gateway</body></html>')).toBeUndefined();
    expect(upstreamMessage('upstream exploded')).toBeUndefined();
    expect(upstreamMessage('{"code":"fail_to_fetch_task","message":"{\\"detail\\":\\"secret internals\\"}"}')).toBeUndefined();
  });

  it('should remove URLs, IP addresses, request ids and credentials', () => {
    expect(cleanUpstreamMessage('upstream connect error to 10.20.30.40:443, see https://status.example/incidents/42')).toBe('upstream connect error to, see');
    expect(cleanUpstreamMessage('role must be specified for image contents Request id: 021764662553207f3d6b5e')).toBe('role must be specified for image contents');
    expect(cleanUpstreamMessage('no channel (request id: 2026120206364123) at [2001:db8::1]:8080 or fe80::1')).toBe('no channel at or');
    expect(cleanUpstreamMessage('bad key sk-abcdefghijklmnop and Bearer tok.en and my-secret', ['my-secret'])).toBe('bad key and and');
    expect(cleanUpstreamMessage('starts at 12:30:45 today')).toBe('starts at 12:30:45 today');
  });

  it('should cut a message to 300 characters', () => {
    const cleaned = cleanUpstreamMessage('x'.repeat(1000));
    expect(cleaned).toHaveLength(300);
    expect(cleaned.endsWith('…')).toBe(true);
  });
});

describe('interpretCreate', () => {
  it('should normalize the created task of the real shape as QUEUED with progress 0 and submittedAt', () => {
    const body = JSON.stringify({ id: 'task_abc', task_id: 'task_abc', object: 'video', model: 'm', status: 'queued', progress: 0, created_at: 1_700_000_000 });
    expect(interpretCreate(200, {}, body)).toEqual({
      ok: true,
      task: expect.objectContaining({ id: 'task_abc', status: 'QUEUED', progress: 0, submittedAt: '2023-11-14T22:13:20.000Z', upstreamStatus: 'queued' }),
    });
  });

  it('should map each error status the way the README says', () => {
    const cases: [number, object, string, 'not_created' | 'unknown'][] = [
      [400, { code: 'invalid_request', message: 'prompt is required', data: null }, ErrorCode.BadUserInput, 'not_created'],
      [404, { code: 'not_found', message: 'no route' }, ErrorCode.BadUserInput, 'not_created'],
      [401, { code: 'invalid_token', message: 'invalid token' }, ErrorCode.Unauthenticated, 'not_created'],
      [403, { code: 'fail_to_fetch_task', message: '{"code":"insufficient_user_quota","message":"pre-consume failed","data":null}' }, ErrorCode.QuotaExceeded, 'not_created'],
      [403, { code: 'access_denied', message: 'no' }, ErrorCode.Forbidden, 'not_created'],
      [503, { error: { code: 'model_not_found', message: 'no channel' } }, ErrorCode.ModelUnavailable, 'not_created'],
      [503, { error: { code: 'overloaded', message: 'busy' } }, ErrorCode.UpstreamUnavailable, 'unknown'],
      [502, { code: 'fail_to_fetch_task', message: 'provider down' }, ErrorCode.UpstreamUnavailable, 'not_created'],
      [302, {}, ErrorCode.UpstreamBadResponse, 'unknown'],
    ];
    for (const [status, body, code, outcome] of cases) {
      const result = expectFailure(interpretCreate(status, {}, JSON.stringify(body)));
      expect([status, body, result.failure.code, result.outcome]).toEqual([status, body, code, outcome]);
      expect(result.failure.mayExist).toBe(outcome === 'unknown' ? true : undefined);
    }
  });

  it('should answer a 200 without a usable id as a bad response that may have created the task', () => {
    for (const body of ['{"object":"video"}', '{"id":"bad id/with slash"}', 'not json']) {
      const result = expectFailure(interpretCreate(200, {}, body));
      expect([body, result.failure.code, result.outcome, result.failure.mayExist]).toEqual([body, ErrorCode.UpstreamBadResponse, 'unknown', true]);
    }
  });
});

describe('createTask against the simulator', () => {
  it('should POST the mapped body with the bearer token and return the created task', async () => {
    const result = await upstream.createTask(TOKEN, createRequestBody({ model: 'm', prompt: 'a cat', durationSeconds: 5, ratio: '16:9' }));
    if (!result.ok) throw new Error(JSON.stringify(result.failure));
    expect(result.task).toMatchObject({ id: expect.stringMatching(/^task_/), status: 'QUEUED', progress: 0, submittedAt: expect.any(String) });
    expect(simulator.requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/v1/video/generations', token: TOKEN, body: { model: 'm', prompt: 'a cat', seconds: '5', metadata: { ratio: '16:9', duration: 5 } } }),
    ]);
  });

  it('should take the cgt- id of older deployments', async () => {
    const result = await upstream.createTask(TOKEN, { model: 'sim-legacy-ids', prompt: 'p' });
    expect(result.ok && result.task.id).toMatch(/^cgt-/);
  });

  it('should map every simulated error to its code, passing on only the cleaned innermost message', async () => {
    const expected: Record<string, [string, string | undefined, 'not_created' | 'unknown']> = {
      'sim-no-price': [ErrorCode.BadUserInput, 'model_price_error: the price of model sim-no-price is not configured', 'not_created'],
      'sim-provider-rejects': [ErrorCode.BadUserInput, 'role must be specified for image contents', 'not_created'],
      'sim-content-blocked': [ErrorCode.BadUserInput, 'The request failed because the input text may contain sensitive information.', 'not_created'],
      'sim-quota-exceeded': [ErrorCode.QuotaExceeded, 'user quota is not enough', 'not_created'],
      'sim-forbidden': [ErrorCode.Forbidden, 'this token may not use model sim-forbidden', 'not_created'],
      'sim-rate-limited': [ErrorCode.RateLimited, 'too many requests, please retry later', 'not_created'],
      'sim-model-not-found': [ErrorCode.ModelUnavailable, 'No available channel for model sim-model-not-found under group default', 'not_created'],
      'sim-provider-down': [ErrorCode.UpstreamUnavailable, 'upstream connect error to, see', 'not_created'],
      'sim-no-id': [ErrorCode.UpstreamBadResponse, undefined, 'unknown'],
      'sim-timeout': [ErrorCode.UpstreamUnavailable, undefined, 'unknown'],
      'sim-connection-lost': [ErrorCode.UpstreamUnavailable, undefined, 'unknown'],
    };
    for (const [model, [code, message, outcome]] of Object.entries(expected)) {
      const result = expectFailure(await upstream.createTask(TOKEN, { model, prompt: 'p' }));
      expect([model, result.failure.code, result.outcome]).toEqual([model, code, outcome]);
      if (message) expect(result.failure.message).toMatch(new RegExp(`: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      expect(result.failure.message).not.toMatch(/https?:|\d+\.\d+\.\d+\.\d+|request id|021764/i);
      if (model === 'sim-rate-limited') expect(result.failure.retryAfterMs).toBe(7000);
    }
    // One POST each: nothing is retried.
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(Object.keys(expected).length);
  });

  it('should map an invalid body and a refused token to BAD_USER_INPUT and UNAUTHENTICATED', async () => {
    const invalid = expectFailure(await upstream.createTask(TOKEN, { model: 'm', prompt: '' }));
    expect([invalid.failure.code, invalid.failure.message]).toEqual([ErrorCode.BadUserInput, 'The upstream refused the request: prompt is required']);
    simulator.refuseToken('sk-refused-0001');
    const refused = expectFailure(await upstream.createTask('sk-refused-0001', { model: 'm', prompt: 'p' }));
    expect(refused.failure.code).toBe(ErrorCode.Unauthenticated);
  });

  it('should say nothing was sent when the upstream cannot be reached', async () => {
    const down = await startSimulator();
    await down.stop();
    const unreachable = createUpstreamClient({ baseUrl: down.url });
    onDispose(() => unreachable.dispose());
    const result = expectFailure(await unreachable.createTask(TOKEN, { model: 'm', prompt: 'p' }));
    expect([result.failure.code, result.outcome, result.failure.mayExist]).toEqual([ErrorCode.UpstreamUnavailable, 'not_created', undefined]);
  });
});
