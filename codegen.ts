import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the tests and the examples, generated from the committed schema.graphql.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/**/*.ts', 'examples/**/*.ts', '!test/gql/**', '!examples/gql/**'],
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: true,
  generates: {
    'test/gql/': {
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', ID: 'string' } },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
