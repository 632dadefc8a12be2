import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const source = (file: string) => fileURLToPath(new URL(`../live-page/${file}`, import.meta.url));

/**
 * The live task page (`/`) and its script (`/live.js`). The script is bundled from
 * src/live-page/main.ts with esbuild on first request and kept in memory.
 */
export function createLivePage() {
  let assets: Promise<{ html: string; js: string }> | undefined;
  const load = async () => {
    const [html, bundle] = await Promise.all([
      readFile(source('page.html'), 'utf8'),
      build({ entryPoints: [source('main.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2020', minify: true, write: false, logLevel: 'silent' }),
    ]);
    return { html, js: bundle.outputFiles[0]!.text };
  };
  return {
    /** The page, or the script, by path; undefined for other paths. */
    async asset(path: string): Promise<{ type: string; body: string } | undefined> {
      if (path !== '/' && path !== '/live.js') return undefined;
      assets ??= load().catch((error: unknown) => {
        assets = undefined;
        throw error;
      });
      const { html, js } = await assets;
      return path === '/' ? { type: 'text/html; charset=utf-8', body: html } : { type: 'text/javascript; charset=utf-8', body: js };
    },
  };
}
