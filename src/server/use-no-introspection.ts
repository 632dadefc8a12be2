import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses introspection (`__schema`, `__type`) in validation, for every transport alike. Unlike
 * @graphql-yoga/plugin-disable-introspection it needs no fetch-API request, so it also applies to
 * websocket operations and to the direct path for JSON POSTs.
 */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
