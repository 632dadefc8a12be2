import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents generated from the committed schema.graphql: AST documents for the tests, plain
// strings for the browser page (so that it does not bundle graphql-js).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  emitLegacyCommonJSImports: false,
  ignoreNoDocuments: true,
  generates: {
    'test/gql/': {
      documents: ['test/**/*.ts', '!test/gql/**'],
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', ID: 'string' } },
      presetConfig: { fragmentMasking: false },
    },
    'src/live-page/gql/': {
      documents: ['src/live-page/**/*.ts', '!src/live-page/gql/**'],
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, documentMode: 'string', scalars: { DateTime: 'string', ID: 'string' } },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
