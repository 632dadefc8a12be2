import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { ErrorCode, retryAfterSeconds, type Failure } from '../errors.js';

/** Builds the error a client sees, with its stable `extensions.code`. */
export function codedError(code: ErrorCode, message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code } });
}

/** Turns a failure carried as data into the error a client sees. */
export function toGraphQLError(f: Failure): GraphQLError {
  if (f.code === ErrorCode.RateLimited) return rateLimitedError(f.message, f.retryAfterMs);
  return codedError(f.code, f.message);
}

/** RATE_LIMITED with `extensions.retryAfter` in whole seconds: the one shape of that code. */
export function rateLimitedError(message: string, retryAfterMs: number | undefined): GraphQLError {
  return createGraphQLError(message, { extensions: { code: ErrorCode.RateLimited, retryAfter: retryAfterSeconds(retryAfterMs) } });
}
