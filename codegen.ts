import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents generated from the committed schema.graphql: AST documents for the tests and the
// examples, plain strings for the browser page (so that it does not bundle graphql-js).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: true,
  generates: {
    'test/gql/': {
      documents: ['test/**/*.ts', '!test/gql/**'],
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', ID: 'string', JSONObject: 'Record<string, unknown>' } },
      presetConfig: { fragmentMasking: false },
    },
    // The example clients (examples/): AST documents carrying their sha256 hash, and the manifest
    // (persisted-documents.json) that TRUSTED_DOCUMENTS loads.
    'examples/gql/': {
      documents: ['examples/**/*.ts', '!examples/gql/**', '!examples/browser/**'],
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', ID: 'string', JSONObject: 'Record<string, unknown>' } },
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
    },
    'examples/browser/gql/': {
      documents: ['examples/browser/**/*.ts', '!examples/browser/gql/**'],
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, documentMode: 'string', scalars: { DateTime: 'string', ID: 'string', JSONObject: 'Record<string, unknown>' } },
      presetConfig: { fragmentMasking: false },
    },
    'src/live-page/gql/': {
      documents: ['src/live-page/**/*.ts', '!src/live-page/gql/**'],
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, documentMode: 'string', scalars: { DateTime: 'string', ID: 'string', JSONObject: 'Record<string, unknown>' } },
      // The page names its operations by hash too: with TRUSTED_DOCUMENTS the gateway lists them.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
    },
  },
};

export default config;
