import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CreateVideoTask, VideoTaskUpdated, VideoTasksUpdated } from './documents.js';
import { codes, collect, execute, sse, startGateway, startSimulator, taskRequests, waitFor, wsClient } from './helpers.js';

const auth = (token = 'sk-create-0001') => ({ authorization: `Bearer ${token}` });
const INPUT = { model: 'doubao-seedance-1-0-pro', prompt: 'a red fox in the snow', durationSeconds: 5, ratio: '16:9' };
const posts = (simulator: { requests: { method: string }[] }) => simulator.requests.filter((r) => r.method === 'POST');

type Created = ExecutionResult<{ createVideoTask: { id: string; status: string; progress: number; submittedAt: string | null; upstreamStatus: string } }> & { status: number };

describe('createVideoTask', () => {
  it('should create a QUEUED task with the mapped upstream body, on the direct path and through yoga alike', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const direct = (await execute(endpoint, CreateVideoTask, { input: INPUT }, auth())) as Created;
    // A cross-origin request skips the direct path: yoga's own handler answers it.
    const viaYoga = (await execute(endpoint, CreateVideoTask, { input: INPUT }, { ...auth(), origin: 'http://localhost:9' })) as Created;
    for (const result of [direct, viaYoga]) {
      expect(result.errors).toBeUndefined();
      expect(result.data?.createVideoTask).toEqual({ id: expect.stringMatching(/^task_/), status: 'QUEUED', progress: 0, submittedAt: expect.any(String), upstreamStatus: 'queued' });
    }
    expect(direct.data!.createVideoTask.id).not.toBe(viaYoga.data!.createVideoTask.id);
    expect(posts(simulator)).toEqual([
      expect.objectContaining({ token: 'sk-create-0001', body: { model: INPUT.model, prompt: INPUT.prompt, seconds: '5', metadata: { ratio: '16:9', duration: 5 } } }),
      expect.objectContaining({ token: 'sk-create-0001' }),
    ]);
  });

  it('should pass metadata through, with typed fields winning over its keys', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const input = { model: 'm', prompt: 'p', imageUrls: ['https://img.example/a.png', 'data:image/png;base64,iVBORw0KGgo='], seed: 7, generateAudio: true, watermark: false, cameraFixed: true, resolution: '720p', metadata: { resolution: '1080p', fps: 24, style: { motion: 'slow' } } };
    const result = await execute(endpoint, CreateVideoTask, { input }, auth());
    expect(result.errors).toBeUndefined();
    expect(posts(simulator)[0]).toMatchObject({
      body: {
        model: 'm',
        prompt: 'p',
        images: input.imageUrls,
        metadata: { resolution: '720p', fps: 24, style: { motion: 'slow' }, seed: 7, generate_audio: true, watermark: false, camera_fixed: true },
      },
    });
  });

  it('should refuse invalid input with BAD_USER_INPUT naming the field, before any upstream call', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const cases: [Record<string, unknown>, string][] = [
      [{ model: '' }, 'input.model'],
      [{ model: 'has space' }, 'input.model'],
      [{ prompt: '   ' }, 'input.prompt'],
      [{ prompt: 'x'.repeat(5001) }, 'input.prompt'],
      [{ imageUrls: ['http://img.example/a.png'] }, 'input.imageUrls[0]'],
      [{ imageUrls: ['https://ok.example/a.png', 'ftp://img.example/a.png'] }, 'input.imageUrls[1]'],
      [{ imageUrls: ['data:text/html;base64,PGI+'] }, 'input.imageUrls[0]'],
      [{ imageUrls: Array.from({ length: 11 }, () => 'https://img.example/a.png') }, 'input.imageUrls'],
      [{ durationSeconds: 0 }, 'input.durationSeconds'],
      [{ durationSeconds: 61 }, 'input.durationSeconds'],
      [{ seed: -2 }, 'input.seed'],
      [{ resolution: '4k' }, 'input.resolution'],
      [{ ratio: '2:1' }, 'input.ratio'],
      [{ metadata: { blob: 'x'.repeat(20_000) } }, 'input.metadata'],
      [{ idempotencyKey: '' }, 'input.idempotencyKey'],
      [{ idempotencyKey: 'with space' }, 'input.idempotencyKey'],
    ];
    for (const [override, field] of cases) {
      const result = await execute(endpoint, CreateVideoTask, { input: { ...INPUT, ...override } }, auth());
      expect([field, codes(result)]).toEqual([field, ['BAD_USER_INPUT']]);
      expect(result.errors?.[0]?.message.startsWith(`${field}:`)).toBe(true);
      expect(result.errors?.[0]?.extensions?.field).toBe(field);
    }
    // GraphQL's own coercion refuses a metadata that is not an object.
    const notObject = await execute(endpoint, CreateVideoTask, { input: { ...INPUT, metadata: [1, 2] as unknown as Record<string, unknown> } }, auth());
    expect(notObject.errors?.[0]?.message).toContain('metadata');
    expect(posts(simulator)).toHaveLength(0);
  });

  it('should not create with the default key unless ALLOW_DEFAULT_KEY_CREATE is set, and say why', async () => {
    const simulator = await startSimulator();
    const locked = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'sk-default-0001' });
    const refused = await execute(locked.endpoint, CreateVideoTask, { input: INPUT });
    expect(codes(refused)).toEqual(['UNAUTHENTICATED']);
    expect(refused.errors?.[0]?.message).toContain('ALLOW_DEFAULT_KEY_CREATE');
    expect(posts(simulator)).toHaveLength(0);
    // The client's own credential still creates.
    expect((await execute(locked.endpoint, CreateVideoTask, { input: INPUT }, auth())).errors).toBeUndefined();
    const open = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'sk-default-0001', allowDefaultKeyCreate: true });
    expect((await execute(open.endpoint, CreateVideoTask, { input: INPUT })).errors).toBeUndefined();
    expect(posts(simulator).map((p) => (p as { token?: string }).token)).toEqual(['sk-create-0001', 'sk-default-0001']);
  });

  it('should map every upstream error to its code, with retryAfter and mayExist where they apply', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, createTimeoutMs: 300 });
    const expected: Record<string, Record<string, unknown>> = {
      'sim-no-price': { code: 'BAD_USER_INPUT' },
      'sim-provider-rejects': { code: 'BAD_USER_INPUT' },
      'sim-content-blocked': { code: 'BAD_USER_INPUT' },
      'sim-quota-exceeded': { code: 'QUOTA_EXCEEDED' },
      'sim-forbidden': { code: 'FORBIDDEN' },
      'sim-rate-limited': { code: 'RATE_LIMITED', retryAfter: 7 },
      'sim-model-not-found': { code: 'MODEL_UNAVAILABLE' },
      'sim-provider-down': { code: 'UPSTREAM_UNAVAILABLE' },
      'sim-no-id': { code: 'UPSTREAM_BAD_RESPONSE', mayExist: true },
      'sim-timeout': { code: 'UPSTREAM_UNAVAILABLE', mayExist: true },
      'sim-connection-lost': { code: 'UPSTREAM_UNAVAILABLE', mayExist: true },
    };
    for (const [model, extensions] of Object.entries(expected)) {
      const result = await execute(endpoint, CreateVideoTask, { input: { model, prompt: 'p' } }, auth());
      expect([model, result.data, result.errors?.[0]?.extensions]).toEqual([model, null, extensions]);
    }
    const rejected = await execute(endpoint, CreateVideoTask, { input: { model: 'sim-provider-rejects', prompt: 'p' } }, auth());
    expect(rejected.errors?.[0]?.message).toBe('The upstream refused the request: role must be specified for image contents');
    simulator.refuseToken('sk-refused-0001');
    expect(codes(await execute(endpoint, CreateVideoTask, { input: INPUT }, auth('sk-refused-0001')))).toEqual(['UNAUTHENTICATED']);
  });

  it('should never let creates open the circuit or mark the credential as failing for reads', async () => {
    const simulator = await startSimulator();
    const { endpoint, url } = await startGateway({ upstreamUrl: simulator.url, breakerThreshold: 2, createTimeoutMs: 200 });
    for (const model of ['sim-provider-down', 'sim-timeout', 'sim-connection-lost', 'sim-provider-down']) await execute(endpoint, CreateVideoTask, { input: { model, prompt: 'p' } }, auth());
    simulator.refuseToken('sk-refused-0002');
    await execute(endpoint, CreateVideoTask, { input: INPUT }, auth('sk-refused-0002'));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const read = await execute(endpoint, '{ videoTask(id: "after-creates") { status } }', undefined, auth());
    expect(read.errors).toBeUndefined();
    expect(taskRequests(simulator, 'after-creates')).toHaveLength(1);
  });

  it('should answer a sequential repeat of an idempotent create with the same task and one POST', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const input = { ...INPUT, idempotencyKey: 'order-42' };
    const first = (await execute(endpoint, CreateVideoTask, { input }, auth())) as Created;
    const again = (await execute(endpoint, CreateVideoTask, { input: { ratio: '16:9', durationSeconds: 5, idempotencyKey: 'order-42', prompt: INPUT.prompt, model: INPUT.model } }, auth())) as Created;
    expect(again.data).toEqual(first.data);
    expect(posts(simulator)).toHaveLength(1);
  });

  it('should send one POST for 10 concurrent duplicates and refuse the key with another input', async () => {
    const simulator = await startSimulator({ latencyMs: 50 });
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url });
    const input = { ...INPUT, idempotencyKey: 'burst-1' };
    const results = (await Promise.all(Array.from({ length: 10 }, () => execute(endpoint, CreateVideoTask, { input }, auth())))) as Created[];
    expect(new Set(results.map((r) => r.data?.createVideoTask.id)).size).toBe(1);
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(posts(simulator)).toHaveLength(1);
    const reused = await execute(endpoint, CreateVideoTask, { input: { ...input, prompt: 'a blue fox' } }, auth());
    expect(codes(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    // Keys are per credential: another one may use the same key.
    expect((await execute(endpoint, CreateVideoTask, { input }, auth('sk-other-0001'))).errors).toBeUndefined();
    expect(posts(simulator)).toHaveLength(2);
  });

  it('should answer a repeat of a timed-out create UPSTREAM_UNAVAILABLE with mayExist, sending nothing', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, createTimeoutMs: 200 });
    const input = { model: 'sim-timeout', prompt: 'p', idempotencyKey: 'slow-1' };
    for (let i = 0; i < 2; i++) {
      const result = await execute(endpoint, CreateVideoTask, { input }, auth());
      expect(result.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', mayExist: true });
    }
    expect(posts(simulator)).toHaveLength(1);
  });

  it('should let a subscription right after the create start at once, and follow the task to its final state', async () => {
    const simulator = await startSimulator({ durationMs: 300 });
    const { endpoint, wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, pollIntervalMs: 50 });
    const created = (await execute(endpoint, CreateVideoTask, { input: INPUT }, auth())) as Created;
    const id = created.data!.createVideoTask.id;
    let getsAtFirstEvent = -1;
    const sub = collect(wsClient(wsEndpoint, { connectionParams: auth() }), VideoTaskUpdated, { id }, () => {
      if (getsAtFirstEvent < 0) getsAtFirstEvent = taskRequests(simulator, id).length;
    });
    const results = await sub.done;
    // The first event is the created state, sent before any GET of the task.
    expect(getsAtFirstEvent).toBe(0);
    expect(results[0]?.data?.videoTaskUpdated).toMatchObject({ id, status: 'QUEUED', progress: 0 });
    expect(results.at(-1)?.data?.videoTaskUpdated).toMatchObject({ id, status: 'SUCCESS', videoUrl: `${simulator.url}/samples/${id}.mp4` });
  });

  it('should create over graphql-ws too, and watch created tasks together over SSE', async () => {
    const simulator = await startSimulator({ durationMs: 300 });
    const { endpoint, wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    const client = wsClient(wsEndpoint, { connectionParams: auth() });
    const createOverWs = (prompt: string) =>
      new Promise<string>((resolve, reject) => {
        client.subscribe<{ createVideoTask: { id: string } }>(
          { query: 'mutation ($input: CreateVideoTaskInput!) { createVideoTask(input: $input) { id } }', variables: { input: { ...INPUT, prompt } } },
          { next: (r) => (r.data ? resolve(r.data.createVideoTask.id) : reject(new Error(JSON.stringify(r.errors)))), error: reject, complete: () => {} },
        );
      });
    const ids = [await createOverWs('a cat'), await createOverWs('this one should fail')];
    const results = await sse(endpoint, VideoTasksUpdated, { ids }, auth());
    const finals = results.filter((r) => ['SUCCESS', 'FAILURE'].includes(r.data?.videoTasksUpdated.status ?? '')).map((r) => [r.data?.videoTasksUpdated.id, r.data?.videoTasksUpdated.status]);
    expect(finals.sort()).toEqual([[ids[0], 'SUCCESS'], [ids[1], 'FAILURE']].sort());
    await waitFor(() => posts(simulator).length === 2);
  });
});
