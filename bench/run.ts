// `npm run bench` (full) or `npm run bench -- --quick` (under a minute): starts the simulator
// (50 ms per answer), the gateway in its production configuration and the reference servers on
// loopback (and, for the fleet, a throwaway redis-server), prints a Markdown table and writes bench/results.json. Figures, not pass/fail.
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { createSimulator } from '../src/simulator/index.js';
import { amplification } from './scenarios/amplification.js';
import { capacity } from './scenarios/capacity.js';
import { fleet } from './scenarios/fleet.js';
import { notificationLatency } from './scenarios/latency.js';
import { queries } from './scenarios/queries.js';
import { startup } from './scenarios/startup.js';
import { formatSpread, round } from './lib/stats.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (name: string) => !only || only.includes(name);

const machine = { node: process.version, cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`, memoryGb: round(totalmem() / 2 ** 30, 1), quick, date: new Date().toISOString() };
const simulator = await createSimulator({ durationMs: 3_600_000, latencyMs: 50, shape: 'current' });
const results: Record<string, unknown> = { machine };
const out: string[] = [`# Benchmark ${quick ? '(quick)' : ''}`, '', `Node ${machine.node}, ${machine.cpus}, ${machine.memoryGb} GB, ${machine.date}. Simulator answers after 50 ms.`, ''];
const log = (line = '') => {
  out.push(line);
  console.log(line);
};

try {
  if (wanted('startup')) {
    const began = performance.now();
    const s = await startup(simulator, { quick });
    results.startup = s;
    log('## 0. Start and idle memory (demo mode; median (min–max)); target: the build at most half of tsx');
    log();
    log('| command | processes | spawn → /readyz 200 | idle RSS, all its processes |');
    log('| --- | ---: | ---: | ---: |');
    for (const r of s.rows) log(`| ${r.command} | ${r.processes} | ${formatSpread(r.readyMs, 0)} ms | ${formatSpread(r.idleRssMb, 1)} MB |`);
    log();
    log(`Finished-task cache: ${s.cache.tasks} tasks took RSS from ${s.cache.rssBeforeMb} MB to ${s.cache.rssAfterMb} MB: **${s.cache.bytesPerTask} bytes per task** (signed URLs of ~150 characters).`);
    log(`(${round((performance.now() - began) / 1000, 1)} s)`);
    log();
  }
  if (wanted('amplification')) {
    const began = performance.now();
    const rows = await amplification(simulator, { quick });
    results.amplification = rows;
    log('## 1. Upstream amplification (target: 1.00 upstream call per task and tick, at every S)');
    log();
    log('| subscribers S | tasks T | ticks K | upstream calls | calls per (task, tick) | S clients polling directly | extra calls, finished tasks |');
    log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) log(`| ${r.subscribers} | ${r.tasks} | ${r.ticks} | ${r.upstreamCalls} | **${r.callsPerTaskTick.toFixed(2)}** | ${r.directPollingPerTaskTick} | ${r.finishedTaskExtraCalls} |`);
    log(`(${round((performance.now() - began) / 1000, 1)} s)`);
    log();
  }
  if (wanted('queries')) {
    const began = performance.now();
    const q = await queries(simulator, { quick });
    results.queries = q;
    log('## 2. Query throughput and latency (3 rounds, servers alternated; median (min–max))');
    log();
    log('| server / query | requests/s | p50 ms | p99 ms | errors |');
    log('| --- | ---: | ---: | ---: | ---: |');
    for (const r of q.rows) log(`| ${r.name} | ${formatSpread(r.requestsPerSecond)} | ${formatSpread(r.latencyP50Ms, 1)} | ${formatSpread(r.latencyP99Ms, 1)} | ${r.errors} |`);
    log();
    log('| ratio (same round) | median (min–max) | target |');
    log('| --- | ---: | ---: |');
    const targets: Record<string, string> = { 'cached videoTask / yoga hello world': '≥ 1.0', 'cached videoTask / mercurius jit': '≥ 0.5', 'cached videoTask / HTTP floor': '' };
    for (const [name, s] of Object.entries(q.ratios)) log(`| ${name} | ${formatSpread(s, 2)} | ${targets[name] ?? ''} |`);
    log(`| unfinished videoTask: p50 added over the simulator's own | ${formatSpread(q.unfinished.addedP50Ms, 1)} ms | |`);
    log(`| unfinished videoTask: p50 added over a minimal reverse proxy | ${formatSpread(q.unfinished.addedOverProxyP50Ms, 1)} ms | ≤ 1 ms |`);
    log(`(${round((performance.now() - began) / 1000, 1)} s)`);
    log();
  }
  if (wanted('capacity')) {
    const began = performance.now();
    const rows = await capacity(simulator, { quick });
    results.capacity = rows;
    log('## 3. Subscription capacity (connections x 10 subscriptions over 100 tasks, one process)');
    log();
    log('| server | subscriptions | RSS per subscription | poll answer → subscriber p50 | p99 | server CPU per delivery |');
    log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) log(`| ${r.server} | ${r.subscriptions} | ${r.rssPerSubscriptionKb} KB | ${formatSpread(r.deliveryP50Ms, 1)} ms | ${formatSpread(r.deliveryP99Ms, 1)} ms | ${r.serverCpuUsPerDelivery} µs |`);
    if (rows.length === 2) log(`\np99 gateway / naive: ${round(rows[0]!.deliveryP99Ms.median / rows[1]!.deliveryP99Ms.median, 3)} (target ≤ 0.25); RSS target ≤ 6 KB per subscription.`);
    log(`(${round((performance.now() - began) / 1000, 1)} s)`);
    log();
  }
  if (wanted('latency')) {
    const began = performance.now();
    const l = await notificationLatency(simulator, { quick });
    results.latency = l;
    log('## 4. Notification latency (upstream change → client event)');
    log();
    log('| poll interval | samples | mean | p50 | p90 | p99 | max | floor (mean: half an interval) |');
    log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    log(`| ${l.pollIntervalMs} ms | ${l.samples} | ${l.meanMs} ms | ${l.p50Ms} ms | ${l.p90Ms} ms | ${l.p99Ms} ms | ${l.maxMs} ms | ${l.expectedMeanMs} ms |`);
    log(`(${round((performance.now() - began) / 1000, 1)} s)`);
    log();
  }
  if (wanted('fleet')) {
    const began = performance.now();
    const f = await fleet(simulator, { quick });
    results.fleet = f;
    log(`## 5. Fleet: ${f.instances} instances on one Redis (POLL_INTERVAL_MS ${f.pollIntervalMs}, LEASE_TTL_MS ${f.leaseTtlMs}; load average up to ${f.loadAverage})`);
    log();
    log('| mode | tenancy | subscribers S | tasks | (credential, task) keys | ticks | upstream calls | calls per (key, tick) | Redis commands/s | per 1,000 watched keys |');
    log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of f.rows) log(`| ${r.mode} | ${r.tenancy} | ${r.subscribers} | ${r.tasks} | ${r.keys} | ${r.ticks} | ${r.upstreamCalls} | **${r.callsPerKeyTick.toFixed(2)}** | ${r.redisCommandsPerSecond ?? '–'} | ${r.redisCommandsPerSecondPer1000Keys ?? '–'} |`);
    log();
    log('Targets: 1.00 with Redis, 3.00 without (each instance polls for itself).');
    log();
    log('| upstream change → client event | samples | p50 | p99 |');
    log('| --- | ---: | ---: | ---: |');
    for (const l of f.latency) log(`| ${l.mode} | ${l.samples} | ${l.p50Ms} ms | ${l.p99Ms} ms |`);
    log();
    log(`Takeover after SIGKILL of the owner (kill → the task's next upstream poll by another instance): **${f.takeover.ms} ms** (target ≤ LEASE_TTL_MS + one interval = ${f.takeover.targetMs} ms).`);
    log(`(${round((performance.now() - began) / 1000, 1)} s)`);
    log();
  }
} finally {
  await simulator.dispose();
}
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('Wrote bench/results.json');
