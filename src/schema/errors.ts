import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import type { ErrorCode, Failure } from '../errors.js';

/** Builds the error a client sees, with its stable `extensions.code`. */
export function codedError(code: ErrorCode, message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code } });
}

/** Turns a failure carried as data into the error a client sees. */
export function toGraphQLError(f: Failure): GraphQLError {
  return codedError(f.code, f.message);
}
