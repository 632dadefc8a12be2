import type { ASTVisitor, ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * Refuses, in validation, an operation whose type the schema lacks (say `mutation { x }` while
 * there is no Mutation type), as graphql-js 17's KnownOperationTypesRule does. Without it, the
 * operation reaches execution, where graphql-jit throws an unexpected error (a 500 with a stack
 * in the log) instead of a client error.
 */
export function useKnownOperationTypes(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(knownOperationTypes);
    },
  };
}

function knownOperationTypes(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (schema.getRootType(node.operation)) return;
      context.reportError(
        createGraphQLError(`The schema does not support ${node.operation} operations.`, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      );
    },
  };
}
