import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Browser tests: headless Debian Chromium driven by playwright-core (`npm run test:e2e`).
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/e2e/**/*.e2e.ts', 'examples/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
