import type { ExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';

/**
 * Errors as clients see them: formatted, without the extensions yoga keeps for itself (`http`,
 * `unexpected`), as yoga's own result processor strips them. For the paths that write results
 * themselves (the direct HTTP path, the subscription hub).
 */
export function publicErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    const formatted = error.toJSON();
    if (!formatted.extensions || !('http' in formatted.extensions || 'unexpected' in formatted.extensions)) return formatted;
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { http, unexpected, ...extensions } = formatted.extensions;
    return Object.keys(extensions).length > 0 ? { ...formatted, extensions } : { ...formatted, extensions: undefined };
  });
}

/** A result whose errors are public ones (see {@link publicErrors}). */
export function publicResult<T extends ExecutionResult>(result: T): T {
  return result.errors ? { ...result, errors: publicErrors(result.errors) as unknown as GraphQLError[] } : result;
}
