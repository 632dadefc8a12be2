import { ErrorCode, type Failure } from '../errors.js';
import { parseRetryAfter } from './retry-after.js';
import { normalizeTask } from './normalize.js';
import { isValidTaskId } from './task-id.js';
import { upstreamCodes, upstreamMessage } from './upstream-message.js';
import type { VideoTask } from './video-task.js';

/**
 * What a create ended with. A failure says whether the task may exist upstream anyway:
 * `not_created` when the upstream refused it or nothing was sent; `unknown` when the request may
 * have been accepted (no answer after sending, a 5xx that does not say it refused, a 2xx without
 * a usable id). Never thrown.
 */
export type CreateResult =
  | { ok: true; task: VideoTask }
  | { ok: false; failure: Failure; outcome: 'not_created' | 'unknown'; status?: number | undefined };

const QUOTA_CODES = new Set(['insufficient_user_quota', 'pre_consume_token_quota_failed', 'quota_not_enough']);
/** Relay codes of a 5xx that say the request was refused, not that its fate is unknown. */
const REFUSED_5XX_CODES = new Set(['model_not_found', 'fail_to_fetch_task']);

/**
 * Maps the answer to `POST /v1/video/generations` to a task or a coded failure. Only the
 * innermost message of an error body reaches the client, cleaned (see `upstreamMessage`).
 *
 * @param secrets - strings to remove from any message passed on (the credential's token)
 */
export function interpretCreate(status: number, headers: Record<string, string | string[] | undefined>, body: string, secrets: readonly string[] = []): CreateResult {
  if (status >= 200 && status < 300) return interpretCreated(status, body);
  const codes = upstreamCodes(body);
  const said = upstreamMessage(body, secrets);
  const refused = (code: ErrorCode, message: string, retryAfterMs?: number): CreateResult => ({
    ok: false,
    status,
    outcome: 'not_created',
    failure: retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs },
  });
  const saying = (prefix: string) => (said ? `${prefix}: ${said}` : `${prefix} (HTTP ${status}).`);

  if (status === 401) return refused(ErrorCode.Unauthenticated, saying('The upstream refused the credential'));
  if (status === 403) {
    if (codes.some((code) => QUOTA_CODES.has(code))) return refused(ErrorCode.QuotaExceeded, saying('The quota of this credential is used up'));
    return refused(ErrorCode.Forbidden, saying('The upstream does not allow this credential to create the task'));
  }
  if (status === 429) return refused(ErrorCode.RateLimited, saying('The upstream is rate limiting creates'), parseRetryAfter(headers['retry-after']));
  if (status >= 400 && status < 500) return refused(ErrorCode.BadUserInput, saying('The upstream refused the request'));
  if (status === 503 && codes.includes('model_not_found')) return refused(ErrorCode.ModelUnavailable, saying('The model is not available now'));
  if (status >= 500) {
    const message = saying('The upstream failed to create the task');
    if (codes.some((code) => REFUSED_5XX_CODES.has(code))) return refused(ErrorCode.UpstreamUnavailable, message);
    return unknown(ErrorCode.UpstreamUnavailable, `${message} The task may exist anyway.`, status);
  }
  return unknown(ErrorCode.UpstreamBadResponse, `The upstream answered the create with HTTP ${status}. The task may exist anyway.`, status);
}

function interpretCreated(status: number, body: string): CreateResult {
  const json = parseJson(body);
  // Liberal: the id where real deployments put it, or where an enveloped deployment would.
  const candidate = isObject(json) ? (isObject(json.data) && !('id' in json) && !('task_id' in json) ? json.data : json) : undefined;
  const id = candidate ? pickId(candidate.task_id, candidate.id) : undefined;
  if (!candidate || id === undefined) {
    return unknown(ErrorCode.UpstreamBadResponse, 'The upstream accepted the create without a usable task id. The task may exist anyway.', status);
  }
  const upstreamStatus = typeof candidate.status === 'string' && candidate.status.trim() !== '' ? candidate.status : 'queued';
  const progress = typeof candidate.progress === 'number' || typeof candidate.progress === 'string' ? candidate.progress : 0;
  const createdAt = typeof candidate.created_at === 'number' || typeof candidate.created_at === 'string' ? candidate.created_at : undefined;
  return { ok: true, task: normalizeTask(id, { task_id: id, status: upstreamStatus, progress, submit_time: createdAt ?? Math.floor(Date.now() / 1000) }) };
}

function pickId(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) {
    const id = typeof candidate === 'number' ? String(candidate) : candidate;
    if (isValidTaskId(id)) return id;
  }
  return undefined;
}

function unknown(code: ErrorCode, message: string, status?: number): CreateResult {
  return { ok: false, status, outcome: 'unknown', failure: { code, message, mayExist: true } };
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
