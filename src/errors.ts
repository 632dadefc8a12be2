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
}

export function failure(code: ErrorCode, message: string, retryAfterMs?: number): Failure {
  return retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };
}
