import { createHash, randomUUID } from 'node:crypto';
import type { Credential } from '../credential.js';
import { ErrorCode, failure, rateLimited, type Failure } from '../errors.js';
import type { Breaker } from './breaker.js';
import { createRequestBody, inputFingerprint, type CreateTaskInput, type UpstreamCreateRequest } from './create-request.js';
import type { CreateResult } from './create-response.js';
import type { IdempotencyRecord, IdempotencyStore } from './idempotency.js';
import type { Limiter } from './limiter.js';
import type { TaskResult } from './task-source.js';
import type { VideoTask } from './video-task.js';

/** How much longer than a create's timeout a pending marker lives: the instance that set it may have died. */
export const PENDING_MARGIN_MS = 5000;

export interface TaskCreatorOptions {
  /** One `POST` of one create: the client (instrumented). Never retried here. */
  createTask(token: string, body: UpstreamCreateRequest): Promise<CreateResult>;
  /** The upstream budget shared with reads: creates wait in the query lane, in their credential's turn. */
  limiter: Limiter;
  /** Creates fail fast while the shared circuit or the credential's own is open; their outcomes never count toward either. */
  breaker?: Pick<Breaker, 'state' | 'stateOf'> | undefined;
  store: IdempotencyStore;
  /** The create timeout, in ms: a pending key expires this long (plus a margin) after it was claimed. @default 30000 */
  createTimeoutMs?: number | undefined;
  /** How long a key is remembered after its create, in ms. @default 86400000 (24 h) */
  ttlMs?: number | undefined;
  /** How often a duplicate looks again at a create in flight elsewhere (another instance), in ms. @default 100 */
  pendingCheckMs?: number | undefined;
  /** Told of every task created (not of repeats), e.g. to seed the watch state. */
  onCreated?: ((credential: Credential, task: VideoTask) => void) | undefined;
  /** Told when the idempotency store fails, for logs. */
  onStoreError?: ((error: unknown) => void) | undefined;
}

export interface TaskCreator {
  /**
   * Creates a task. With an idempotency key, a repeat with the same credential, key and input
   * gets the same task without a second POST (also while the first is in flight); the same key
   * with another input fails with IDEMPOTENCY_KEY_REUSED. Never throws.
   */
  create(credential: Credential, input: CreateTaskInput, idempotencyKey?: string | undefined): Promise<TaskResult>;
}

/** Creates tasks upstream, at most once per idempotency key. */
export function createTaskCreator({
  createTask,
  limiter,
  breaker,
  store,
  createTimeoutMs = 30_000,
  ttlMs = 24 * 60 * 60_000,
  pendingCheckMs = 100,
  onCreated,
  onStoreError = () => {},
}: TaskCreatorOptions): TaskCreator {
  const pendingTtlMs = createTimeoutMs + PENDING_MARGIN_MS;
  // Duplicates within this process share the first one's promise instead of polling the store.
  const local = new Map<string, { input: string; promise: Promise<TaskResult> }>();

  async function send(credential: Credential, input: CreateTaskInput): Promise<CreateResult> {
    if (breaker && (breaker.state === 'open' || breaker.stateOf(credential.fingerprint) === 'open')) {
      return { ok: false, outcome: 'not_created', failure: failure(ErrorCode.UpstreamUnavailable, 'The upstream is failing; requests are paused for a moment (circuit open). Nothing was sent.') };
    }
    const { promise } = limiter.schedule('query', credential.fingerprint, () => createTask(credential.token, createRequestBody(input)), { skip: never, skipped: queueFull, refused: queueFull });
    const result = await promise;
    if (result.ok) onCreated?.(credential, result.task);
    return result;
  }

  async function createOnce(key: string, input: string, credential: Credential, taskInput: CreateTaskInput): Promise<TaskResult> {
    const owner = randomUUID();
    const giveUpAt = Date.now() + 2 * pendingTtlMs;
    for (;;) {
      let existing: IdempotencyRecord | undefined;
      try {
        existing = await store.claim(key, { state: 'pending', input, owner }, pendingTtlMs);
      } catch (error) {
        onStoreError(error);
        return { ok: false, failure: storeDown };
      }
      if (!existing) return settle(key, owner, input, await send(credential, taskInput));
      if (existing.input !== input) return { ok: false, failure: reused };
      if (existing.state === 'created') return { ok: true, task: existing.task };
      if (existing.state === 'unknown') return { ok: false, failure: unknownOutcome };
      // Pending elsewhere: wait for its outcome; an expired marker (its instance died) lets us claim.
      if (Date.now() >= giveUpAt) return { ok: false, failure: unknownOutcome };
      await new Promise((resolve) => setTimeout(resolve, pendingCheckMs));
    }
  }

  async function settle(key: string, owner: string, input: string, result: CreateResult): Promise<TaskResult> {
    try {
      if (result.ok) await store.settle(key, { state: 'created', input, task: result.task }, ttlMs);
      else if (result.outcome === 'unknown') await store.settle(key, { state: 'unknown', input }, ttlMs);
      else await store.release(key, owner);
    } catch (error) {
      // The create itself is over: its answer stands. The pending marker expires on its own.
      onStoreError(error);
    }
    return result.ok ? result : { ok: false, failure: result.failure };
  }

  return {
    async create(credential, taskInput, idempotencyKey) {
      if (idempotencyKey === undefined) {
        const result = await send(credential, taskInput);
        return result.ok ? result : { ok: false, failure: result.failure };
      }
      const key = idempotencyStoreKey(credential, idempotencyKey);
      const input = inputFingerprint(taskInput);
      const running = local.get(key);
      if (running) return running.input === input ? running.promise : { ok: false, failure: reused };
      const promise = createOnce(key, input, credential, taskInput).finally(() => local.delete(key));
      local.set(key, { input, promise });
      return promise;
    },
  };
}

/** Where a client's idempotency key is kept: hashed, so stores hold neither tokens nor arbitrary client strings. */
export function idempotencyStoreKey(credential: Credential, idempotencyKey: string): string {
  return `${credential.fingerprint}:${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;
}

const never = () => false;
const queueFull: CreateResult = { ok: false, outcome: 'not_created', failure: rateLimited('The gateway is busy: too many upstream requests are waiting. Nothing was sent; try again shortly.', 1000) };

const reused: Failure = failure(ErrorCode.IdempotencyKeyReused, 'This idempotency key was already used with a different input: use a new key for a new task.');
const unknownOutcome: Failure = {
  code: ErrorCode.UpstreamUnavailable,
  message: 'An earlier create with this idempotency key ended without a known outcome: the task may exist. Check your tasks before creating it again with a new key.',
  mayExist: true,
};
const storeDown: Failure = failure(ErrorCode.UpstreamUnavailable, 'Idempotency keys cannot be checked right now, so the create was not sent. Retry later, or create without a key.');
