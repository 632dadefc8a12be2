// `npm run build`: dist/ is what production runs (`node dist/index.js`, after `npm ci --omit=dev`).
// tsc emits the server (no bundler: the runtime dependencies stay ordinary node_modules, and stack
// traces point at real files); esbuild bundles the live page's browser script once, here, instead
// of at the first request; every other file under src/ that is not TypeScript (the page, fixtures)
// is copied beside the code that reads it.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { liveScriptBuildOptions } from '../src/server/live-page.js';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
for (const file of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!file.isFile() || file.name.endsWith('.ts')) continue;
  const from = join(file.parentPath, file.name);
  const to = join(dist, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
}
await build({ ...liveScriptBuildOptions, entryPoints: [join(src, 'live-page/main.ts')], outfile: join(dist, 'live-page/live.js') });
process.stdout.write(`Built ${relative(process.cwd(), dist) || '.'}/ (node dist/index.js)\n`);
