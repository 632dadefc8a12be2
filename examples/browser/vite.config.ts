import { defineConfig } from 'vite';

// `npx vite examples/browser` serves the page with hot reload; `npx vite build examples/browser` builds it.
export default defineConfig({
  build: { target: 'es2020' },
});
