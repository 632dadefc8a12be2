import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { Kind, type DocumentNode, type GraphQLError, type OperationDefinitionNode, type ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';

/** graphql-armor with the configured limits, each rejection coded. */
export function useOperationLimits(config: Pick<Config, 'maxDepth' | 'maxAliases' | 'maxTokens' | 'maxCost' | 'maxDirectives' | 'introspection'>): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: config.maxDepth, ignoreIntrospection: false, flattenFragments: true, ...reportAsValidationError },
    maxAliases: { n: config.maxAliases, ...reportAsValidationError },
    maxTokens: { n: config.maxTokens },
    costLimit: { maxCost: config.maxCost, ...reportAsValidationError },
    maxDirectives: { n: config.maxDirectives, ...reportAsValidationError },
    // Suggestions would reveal the schema that disabled introspection hides.
    blockFieldSuggestion: { enabled: !config.introspection },
  }) as Plugin;
}

/**
 * Compiled execution and serialization (graphql-jit) for queries. Its cache is keyed by document
 * alone: only documents with a single operation are compiled, so that the operation run is always
 * the one asked for.
 */
export function useCompiledQueries(): Plugin {
  return useGraphQlJit({}, { enableIf: ({ document, operationName }) => isSingleOperation(document, operationName) }) as Plugin;
}

function isSingleOperation(document: DocumentNode, operationName: string | null | undefined): boolean {
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operation) return false;
    operation = definition;
  }
  return operation !== undefined && (operationName == null || operation.name?.value === operationName);
}

/**
 * graphql-armor throws its rejections out of validation, which leaves them without a code; reported
 * as validation errors instead, they get yoga's GRAPHQL_VALIDATION_FAILED like any invalid operation.
 */
const reportAsValidationError = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(createGraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })),
  ],
};

