import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';

/**
 * Errors as clients see them, exactly as yoga's own result processor writes them: each error
 * rebuilt from its nodes, source, positions and path (so `locations` come from the document, as
 * in yoga's answers), without the extensions yoga keeps for itself (`http`, `unexpected`). For the
 * paths that write results themselves (the direct HTTP path, the subscription hub, websockets).
 */
export function publicErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { http, unexpected, ...extensions } = error.toJSON().extensions ?? {};
    return createGraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
    }).toJSON();
  });
}

/** A result whose errors are public ones (see {@link publicErrors}). */
export function publicResult<T extends ExecutionResult>(result: T): T {
  return result.errors ? { ...result, errors: publicErrors(result.errors) as unknown as GraphQLError[] } : result;
}
