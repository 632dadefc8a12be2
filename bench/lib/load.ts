import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { LoadJob, LoadResult } from './load-generator.js';

export type { LoadJob, LoadResult };

/** A load-generator child process: `run(job)` sends it a job and waits for the figures. */
export function startLoadGenerator() {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./load-generator.ts', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((result: LoadResult) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line) as LoadResult));
  return {
    run(job: LoadJob): Promise<LoadResult> {
      return new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(`${JSON.stringify(job)}\n`);
      });
    },
    stop() {
      child.stdin.end();
      child.kill();
    },
  };
}
