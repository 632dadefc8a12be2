/**
 * The closed set of error codes a client can see in `extensions.code`.
 * Documented in the README; never rename one.
 */
export const ErrorCode = {
  /** An argument is invalid: a malformed task id, too many ids. */
  BadUserInput: 'BAD_USER_INPUT',
  /** No credential was sent and none is configured, or the upstream refused it (401). */
  Unauthenticated: 'UNAUTHENTICATED',
  /** The upstream answered 403 for this credential. */
  Forbidden: 'FORBIDDEN',
  /** The upstream could not be reached: network error, timeout, 5xx, 429, open circuit. */
  UpstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  /** The upstream answered with something that is not the expected JSON. */
  UpstreamBadResponse: 'UPSTREAM_BAD_RESPONSE',
  /** The upstream does not know the task (subscriptions only; queries answer null). */
  TaskNotFound: 'TASK_NOT_FOUND',
  /** A subscription watched a task for longer than `MAX_WATCH_MS`. */
  WatchTimeout: 'WATCH_TIMEOUT',
  /** A per-connection or per-operation limit was reached. */
  LimitExceeded: 'LIMIT_EXCEEDED',
  /** The gateway is shutting down; reconnect to another instance. */
  ShuttingDown: 'SHUTTING_DOWN',
  /**
   * One of the gateway's own limits (a full upstream queue, a per-credential or per-address rate),
   * or an upstream 429 that is not retried; `extensions.retryAfter` says when to try again, in
   * whole seconds. An HTTP request refused as a whole gets status 429 and a `Retry-After` header.
   */
  RateLimited: 'RATE_LIMITED',
  /** The upstream refused a create: the credential's quota or balance is used up. */
  QuotaExceeded: 'QUOTA_EXCEEDED',
  /** The upstream has no channel serving the requested model now. */
  ModelUnavailable: 'MODEL_UNAVAILABLE',
  /** An idempotency key was used again with a different input. */
  IdempotencyKeyReused: 'IDEMPOTENCY_KEY_REUSED',
  /** APQ: the hash is not registered (any more); send the query with its hash. */
  PersistedQueryNotFound: 'PERSISTED_QUERY_NOT_FOUND',
  /** APQ: the query sent does not have the SHA-256 hash sent with it. */
  PersistedQueryMismatch: 'PERSISTED_QUERY_MISMATCH',
  /** Trusted documents: the operation is not in the manifest (or was sent as text). */
  PersistedQueryNotInList: 'PERSISTED_QUERY_NOT_IN_LIST',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A failure as data: what the upstream layer and the poller hand upwards instead of throwing,
 * so that a subscription can carry it as an event and a batch can carry it per key.
 * The message is ours, safe to show to a client; upstream bodies never go in it.
 */
export interface Failure {
  readonly code: ErrorCode;
  readonly message: string;
  /** How long the upstream asked us to wait (from `Retry-After`), in ms. */
  readonly retryAfterMs?: number | undefined;
  /** Set when a create's outcome is unknown: the task may exist upstream (and cost money). */
  readonly mayExist?: true | undefined;
}

export function failure(code: ErrorCode, message: string, retryAfterMs?: number): Failure {
  return retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };
}

/** A RATE_LIMITED failure; `retryAfterMs` becomes the client's `extensions.retryAfter` (seconds, rounded up). */
export function rateLimited(message: string, retryAfterMs: number): Failure {
  return failure(ErrorCode.RateLimited, message, Math.max(0, retryAfterMs));
}

/** `Retry-After` in whole seconds, at least 1: what a client is told to wait. */
export function retryAfterSeconds(retryAfterMs: number | undefined): number {
  return Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000));
}
