// Profiles the gateway under a query load: `tsx bench/profile.ts [seconds]` writes a .cpuprofile
// into /tmp/prof and prints the functions with the most self time, grouped by package.
import { readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import autocannon from 'autocannon';
import { createSimulator } from '../src/simulator/index.js';
import { startGateway } from './lib/gateway.js';
import { startServer } from './lib/process.js';

const seconds = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10);
const dir = '/tmp/prof';
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const simulator = await createSimulator({ latencyMs: 50 });
simulator.setTask('bench-done', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/x.mp4', submit_time: 1705334400 });
// `--server=mercurius` profiles the reference instead, for comparison.
const target = process.argv.find((a) => a.startsWith('--server='))?.slice(9) ?? 'gateway';
const profiling = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
const gateway =
  target === 'mercurius'
    ? await startServer('mercurius', 'bench/servers/mercurius.ts', { NODE_ENV: 'production' }, profiling)
    : await startGateway(simulator.url, 5000, {}, profiling);
const body = JSON.stringify({ query: 'query ($id: ID!) { videoTask(id: $id) { id status progress videoUrl error submittedAt startedAt finishedAt action upstreamStatus } }', variables: { id: 'bench-done' } });
const load = (duration: number) =>
  new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ url: `${gateway.url}/graphql`, method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, body, connections: 50, duration }, (e, r) => (e ? reject(e) : resolve(r))),
  );
await load(2);
const result = await load(seconds);
console.log(`requests/s: ${Math.round(result.requests.average)}`);
await gateway.stop();
await simulator.dispose();

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (file) {
  const profile = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] }[] };
  const total = profile.nodes.reduce((n, node) => n + node.hitCount, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/src/') ? 'gateway src' : url.startsWith('node:') ? url : url ? 'other' : `(${functionName})`);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + node.hitCount);
    const key = `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/.*\/work\/main\//, '')}:${lineNumber}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.hitCount);
  }
  const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`).join('\n');
  // Inclusive time: a function's own hits plus its callees', counted once per stack.
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  const walk = (id: number, seen: Set<string>): number => {
    const node = nodes.get(id)!;
    const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/work\/main\//, '')}:${node.callFrame.lineNumber}`;
    const fresh = !seen.has(key);
    if (fresh) seen.add(key);
    let total = node.hitCount;
    for (const child of node.children ?? []) total += walk(child, seen);
    if (fresh) {
      seen.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + total);
    }
    return total;
  };
  walk(profile.nodes[0]!.id, new Set());
  console.log(`\nBy package:\n${top(byPackage, 25)}\n\nBy function (self time):\n${top(byFunction, 40)}\n\nBy function (inclusive):\n${top(inclusive, 60)}`);
}
