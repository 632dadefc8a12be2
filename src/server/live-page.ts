import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.js';
import { sendJson } from './http.js';

const file = (name: string) => fileURLToPath(new URL(`../live-page/${name}`, import.meta.url));

export interface LivePage {
  serves(path: string | undefined): boolean;
  serve(res: ServerResponse, path: string): Promise<void>;
}

/**
 * The live task page (`/`) and its script (`/live.js`), read once and kept in memory. The build
 * (`npm run build`) writes the bundled script beside the page in dist/; running from the sources
 * (tsx, tests), the script is bundled from src/live-page/main.ts with esbuild, a dev dependency.
 */
export function createLivePage(logger: Logger): LivePage {
  let assets: Promise<{ html: string; js: string }> | undefined;
  const load = async () => {
    const [html, js] = await Promise.all([readFile(file('page.html'), 'utf8'), readFile(file('live.js'), 'utf8').catch(bundle)]);
    return { html, js };
  };
  return {
    serves: (path) => path === '/' || path === '/live.js',
    async serve(res, path) {
      try {
        assets ??= load().catch((error: unknown) => {
          assets = undefined;
          throw error;
        });
        const { html, js } = await assets;
        const [type, body] = path === '/' ? ['text/html; charset=utf-8', html] : ['text/javascript; charset=utf-8', js];
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
        res.end(body);
      } catch (error) {
        logger.error({ err: error }, 'The live page could not be built');
        sendJson(res, 500, { error: 'The live page could not be built.' });
      }
    },
  };
}

/** The script bundled from its sources, for runs without a build. */
async function bundle(): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({ ...liveScriptBuildOptions, entryPoints: [file('main.ts')], write: false });
  return result.outputFiles[0]!.text;
}

/** esbuild options of the live page's script, shared by the build and the fallback above. */
export const liveScriptBuildOptions = { bundle: true, format: 'esm', platform: 'browser', target: 'es2020', minify: true, logLevel: 'silent' } as const;
