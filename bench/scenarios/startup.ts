import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Simulator } from '../../src/simulator/index.js';
import { startGateway } from '../lib/gateway.js';
import { round, sleep, spread, type Spread } from '../lib/stats.js';

const root = new URL('../../', import.meta.url).pathname;

export interface StartupRow {
  command: string;
  /** Spawn to the first 200 from /readyz. */
  readyMs: Spread;
  /** Resident memory of every process the command started, 2 s after ready. */
  idleRssMb: Spread;
  processes: number;
}

export interface StartupResults {
  rows: StartupRow[];
  cache: { tasks: number; rssBeforeMb: number; rssAfterMb: number; bytesPerTask: number };
}

const commands: { command: string; file: string; args: string[] }[] = [
  { command: 'node dist/index.js (production)', file: process.execPath, args: ['dist/index.js'] },
  { command: 'npm start (node --import tsx, one process under npm)', file: 'npm', args: ['start', '--silent'] },
  { command: 'tsx src/index.ts (the former npm start)', file: `${root}node_modules/.bin/tsx`, args: ['src/index.ts'] },
];

/** Every process in the tree under `pid`, itself included (from /proc). */
function tree(pid: number): number[] {
  let children = '';
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    // ps exits 1 when there is no child.
  }
  return [pid, ...children.split('\n').filter(Boolean).map(Number).flatMap(tree)];
}

function rss(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function once(file: string, args: string[], port: number): Promise<{ readyMs: number; rss: number; processes: number }> {
  const started = performance.now();
  const child = spawn(file, args, { cwd: root, env: { ...process.env, PORT: String(port), UPSTREAM_URL: '', NODE_ENV: 'production', LOG_LEVEL: 'warn' }, stdio: 'ignore', detached: true });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (performance.now() - started > 60_000) throw new Error(`${file} ${args.join(' ')} was not ready within 60 s`);
      await sleep(10);
    }
    const readyMs = performance.now() - started;
    await sleep(2000);
    const pids = tree(child.pid!);
    return { readyMs, rss: pids.reduce((sum, pid) => sum + rss(pid), 0), processes: pids.length };
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
    await sleep(300);
  }
}

/**
 * Start time and idle memory of the production build beside the development commands (demo mode:
 * the embedded simulator included), and the memory the finished-task LRU really costs per task.
 */
export async function startup(simulator: Simulator, { quick }: { quick: boolean }): Promise<StartupResults> {
  const rounds = quick ? 1 : 3;
  const samples = new Map<string, { readyMs: number; rss: number; processes: number }[]>();
  let port = 47_100;
  for (let r = 0; r < rounds; r++) {
    for (const { command, file, args } of commands) samples.set(command, [...(samples.get(command) ?? []), await once(file, args, port++)]);
  }
  const rows = commands.map(({ command }) => {
    const s = samples.get(command)!;
    return { command, readyMs: spread(s.map((x) => round(x.readyMs, 0))), idleRssMb: spread(s.map((x) => round(x.rss / 2 ** 20, 1))), processes: s[0]!.processes };
  });

  // The LRU's real cost: 10,000 finished tasks fetched through videoTasks, 100 ids a query.
  const tasks = quick ? 2000 : 10_000;
  const ids = Array.from({ length: tasks }, (_, i) => `bench-cache-${i}`);
  for (const id of ids) simulator.setTask(id, { status: 'success', progress: '100%', fail_reason: `https://cdn.example.com/videos/${id}.mp4?X-Amz-Signature=${'f'.repeat(64)}`, submit_time: 1705334400, start_time: 1705334410, finish_time: 1705334520 });
  const gateway = await startGateway(simulator.url, 5000, { TASK_CACHE_SIZE: String(tasks) });
  try {
    const query = (batch: string[]) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer bench-token' },
        body: JSON.stringify({ query: 'query ($ids: [ID!]!) { videoTasks(ids: $ids) { id status videoUrl } }', variables: { ids: batch } }),
      }).then((r) => r.text());
    // Warm up the code paths with tasks that are not counted.
    await query(ids.slice(0, 100));
    await sleep(1000);
    const before = gateway.rss();
    for (let i = 100; i < ids.length; i += 100) await query(ids.slice(i, i + 100));
    await sleep(1000);
    const after = gateway.rss();
    return { rows, cache: { tasks: tasks - 100, rssBeforeMb: round(before / 2 ** 20, 1), rssAfterMb: round(after / 2 ** 20, 1), bytesPerTask: Math.round((after - before) / (tasks - 100)) } };
  } finally {
    await gateway.stop();
  }
}
