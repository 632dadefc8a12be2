import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 has no exports map: Node loads its CommonJS entry for every dependency (yoga,
    // graphql-ws), while Vite would pick the `module` entry for our sources. Two copies of graphql
    // fail with "Cannot use GraphQLSchema from another module or realm", so tests use Node's one.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
