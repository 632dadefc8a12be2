import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { ErrorCode, retryAfterSeconds, type Failure } from '../errors.js';

/** Builds the error a client sees, with its stable `extensions.code`. */
export function codedError(code: ErrorCode, message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code } });
}

/**
 * Turns a failure carried as data into the error a client sees: `retryAfter` (whole seconds) on
 * RATE_LIMITED, `mayExist` when a create's outcome is unknown, and any `extensions` given.
 */
export function toGraphQLError(f: Failure, extensions?: Record<string, unknown>): GraphQLError {
  if (!f.mayExist && !extensions) {
    if (f.code === ErrorCode.RateLimited) return rateLimitedError(f.message, f.retryAfterMs);
    return codedError(f.code, f.message);
  }
  return createGraphQLError(f.message, {
    extensions: {
      code: f.code,
      ...(f.code === ErrorCode.RateLimited ? { retryAfter: retryAfterSeconds(f.retryAfterMs) } : {}),
      ...(f.mayExist ? { mayExist: true } : {}),
      ...extensions,
    },
  });
}

/** RATE_LIMITED with `extensions.retryAfter` in whole seconds: the one shape of that code. */
export function rateLimitedError(message: string, retryAfterMs: number | undefined): GraphQLError {
  return createGraphQLError(message, { extensions: { code: ErrorCode.RateLimited, retryAfter: retryAfterSeconds(retryAfterMs) } });
}
