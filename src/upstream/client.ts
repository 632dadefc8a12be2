import { Agent, request } from 'undici';
import { ErrorCode, failure, type Failure } from '../errors.js';
import type { UpstreamCreateRequest } from './create-request.js';
import { interpretCreate, type CreateResult } from './create-response.js';
import { UPSTREAM_TASK_NOT_EXIST, UpstreamEnvelope, UpstreamTask } from './wire.js';
import { parseRetryAfter } from './retry-after.js';
import { isValidTaskId } from './task-id.js';

export { parseRetryAfter };

export interface UpstreamClientOptions {
  /** Base URL of the upstream, without a trailing slash, e.g. `https://api.example.com`. */
  baseUrl: string;
  /** Timeout of one request, headers and body included, in ms. @default 10000 */
  timeoutMs?: number | undefined;
  /** Timeout of one create (`POST`), headers and body included, in ms: generation requests can be slow to be accepted. @default 30000 */
  createTimeoutMs?: number | undefined;
  /** Keep-alive connections per upstream origin at most. @default 64 */
  connections?: number | undefined;
  /** Largest response body read, in bytes; larger is a bad response. @default 1048576 */
  maxBodyBytes?: number | undefined;
  /** Extra headers per request (trace context). @default none */
  headers?: (() => Record<string, string>) | undefined;
}

/** What one attempt ended with: a task as sent, or a failure. Never thrown. */
export type FetchResult =
  | { ok: true; task: UpstreamTask }
  /** `status` when the upstream answered; `transport` when it did not. */
  | { ok: false; failure: Failure; status?: number | undefined; transport?: 'timeout' | 'network' | undefined };

export interface UpstreamClient {
  /** One GET of one task. Validates the id first and never throws. */
  fetchTask(token: string, id: string): Promise<FetchResult>;
  /**
   * One `POST /v1/video/generations`. Never retried and never throws: a failure says whether the
   * task may exist anyway (see {@link CreateResult}).
   */
  createTask(token: string, body: UpstreamCreateRequest): Promise<CreateResult>;
  dispose(): Promise<void>;
}

/** A keep-alive HTTP client for `GET /v1/video/generations/:task_id`. */
export function createUpstreamClient({ baseUrl, timeoutMs = 10_000, createTimeoutMs = 30_000, connections = 64, maxBodyBytes = 1 << 20, headers: extraHeaders }: UpstreamClientOptions): UpstreamClient {
  const agent = new Agent({ connections, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs } });
  const base = baseUrl.replace(/\/+$/, '');

  async function fetchTask(token: string, id: string): Promise<FetchResult> {
    // The check is repeated here so that no caller can make this client request another path.
    if (!isValidTaskId(id)) return { ok: false, failure: failure(ErrorCode.BadUserInput, 'Invalid task id.') };
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let body: string | undefined;
    // One bound on the whole attempt (connect, headers, a body sent drop by drop): the agent's own
    // timeouts only bound pauses. A plain controller and timer: AbortSignal.timeout costs more.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await request(`${base}/v1/video/generations/${encodeURIComponent(id)}`, {
        method: 'GET',
        dispatcher: agent,
        headers: extraHeaders ? { ...extraHeaders(), authorization: `Bearer ${token}`, accept: 'application/json' } : { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: controller.signal,
      });
      status = response.statusCode;
      headers = response.headers;
      body = await readBody(response.body, response.headers['content-length'], maxBodyBytes);
    } catch (error) {
      return networkFailure(controller.signal.aborted ? Object.assign(new Error('timeout'), { name: 'TimeoutError' }) : error, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (body === undefined) return fail(ErrorCode.UpstreamBadResponse, `The upstream answered with a body over ${maxBodyBytes} bytes.`, status);
    return interpret(status, headers, body);
  }

  async function createTask(token: string, payload: UpstreamCreateRequest): Promise<CreateResult> {
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let body: string | undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), createTimeoutMs);
    try {
      const response = await request(`${base}/v1/video/generations`, {
        method: 'POST',
        dispatcher: agent,
        headers: { ...extraHeaders?.(), authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        // The agent's pauses are the reads' timeout; a create may wait longer for its answer.
        headersTimeout: createTimeoutMs,
        bodyTimeout: createTimeoutMs,
        signal: controller.signal,
      });
      status = response.statusCode;
      headers = response.headers;
      body = await readBody(response.body, response.headers['content-length'], maxBodyBytes);
    } catch (error) {
      return createTransportFailure(error, controller.signal.aborted, createTimeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (body === undefined) {
      return { ok: false, status, outcome: 'unknown', failure: { code: ErrorCode.UpstreamBadResponse, message: `The upstream answered the create with a body over ${maxBodyBytes} bytes. The task may exist anyway.`, mayExist: true } };
    }
    return interpretCreate(status, headers, body, [token]);
  }

  return {
    fetchTask,
    createTask,
    async dispose() {
      await agent.close().catch(() => agent.destroy());
    },
  };
}

type Body = AsyncIterable<Buffer> & { destroy(): unknown; text(): Promise<string> };

/** The body as text, or undefined when it is larger than `limit`. */
async function readBody(body: Body, declaredLength: string | string[] | undefined, limit: number): Promise<string | undefined> {
  // With a Content-Length (what this API sends) undici's own reader does it; undici enforces the length.
  const declared = typeof declaredLength === 'string' ? Number(declaredLength) : Number.NaN;
  if (declared > limit) {
    body.destroy();
    return undefined;
  }
  if (declared >= 0) return body.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkFailure(error: unknown, timeoutMs: number): FetchResult {
  const name = error instanceof Error ? error.name : '';
  const code = (error as { code?: string } | null)?.code ?? '';
  // A request undici refuses to build says nothing about the upstream: neither retried nor counted.
  if (code === 'UND_ERR_INVALID_ARG') return { ok: false, failure: failure(ErrorCode.BadUserInput, 'The request to the upstream could not be built from this input.') };
  if (name === 'TimeoutError' || name === 'AbortError' || code.includes('TIMEOUT')) {
    return { ok: false, transport: 'timeout', failure: failure(ErrorCode.UpstreamUnavailable, `The upstream did not answer within ${timeoutMs} ms.`) };
  }
  return { ok: false, transport: 'network', failure: failure(ErrorCode.UpstreamUnavailable, `The upstream could not be reached${code ? ` (${code})` : ''}.`) };
}

// Failures of these kinds happen before the request is written: nothing reached the upstream.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_INVALID_ARG']);

function createTransportFailure(error: unknown, timedOut: boolean, timeoutMs: number): CreateResult {
  const code = String((error as { code?: unknown } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code ?? '');
  if (!timedOut && NOT_SENT_CODES.has(code)) {
    return { ok: false, outcome: 'not_created', failure: failure(ErrorCode.UpstreamUnavailable, `The upstream could not be reached (${code}); nothing was sent.`) };
  }
  const what = timedOut || code.includes('TIMEOUT') ? `did not answer the create within ${timeoutMs} ms` : `connection was lost during the create${code ? ` (${code})` : ''}`;
  return { ok: false, outcome: 'unknown', failure: { code: ErrorCode.UpstreamUnavailable, message: `The upstream ${what}. The task may exist anyway.`, mayExist: true } };
}

/** Maps an HTTP answer to a task or a failure. Exported for unit tests. */
export function interpret(status: number, headers: Record<string, string | string[] | undefined>, body: string): FetchResult {
  const json = parseJson(body);
  const envelope = json === undefined ? undefined : UpstreamEnvelope.safeParse(json);
  const env = envelope?.success ? envelope.data : undefined;
  const notExist = env !== undefined && (env.code === UPSTREAM_TASK_NOT_EXIST || env.message === UPSTREAM_TASK_NOT_EXIST);

  if (status === 401) return fail(ErrorCode.Unauthenticated, 'The upstream refused the credential.', status);
  if (status === 403) return fail(ErrorCode.Forbidden, 'The upstream does not allow this credential to read the task.', status);
  if (status === 404 || notExist) return fail(ErrorCode.TaskNotFound, 'The upstream does not know this task.', status);
  if (status === 429 || status >= 500) {
    const what = status === 429 ? 'is rate limiting requests' : `answered HTTP ${status}`;
    return { ok: false, status, failure: failure(ErrorCode.UpstreamUnavailable, `The upstream ${what}.`, parseRetryAfter(headers['retry-after'])) };
  }
  if (status < 200 || status >= 300) return fail(ErrorCode.UpstreamBadResponse, `The upstream answered HTTP ${status}.`, status);
  if (json === undefined) {
    const type = String(headers['content-type'] ?? '');
    const html = type.includes('html') || /^\s*</.test(body);
    return fail(
      ErrorCode.UpstreamBadResponse,
      html
        ? 'The upstream answered with an HTML page instead of JSON: UPSTREAM_URL is probably wrong (it should be the API base URL, without /v1).'
        : 'The upstream answered with a body that is not JSON.',
      status,
    );
  }
  // Some deployments answer the task itself, without the envelope.
  const enveloped = isObject(json) && ('data' in json || 'code' in json);
  const candidate = enveloped ? json.data : json;
  if (env && env.code !== undefined && env.code !== 'success' && !isObject(candidate)) {
    return fail(ErrorCode.UpstreamBadResponse, 'The upstream answered with an error code instead of a task.', status);
  }
  if (!isObject(candidate)) return fail(ErrorCode.UpstreamBadResponse, 'The upstream answered without a task object.', status);
  const task = UpstreamTask.safeParse(candidate);
  if (!task.success) return fail(ErrorCode.UpstreamBadResponse, 'The upstream answered with a task of an unexpected shape.', status);
  return { ok: true, task: task.data };
}

function fail(code: Failure['code'], message: string, status: number): FetchResult {
  return { ok: false, status, failure: failure(code, message) };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
