import type { Simulator } from '../../src/simulator/index.js';
import { startGateway } from '../lib/gateway.js';
import { startLoadGenerator, type LoadResult } from '../lib/load.js';
import { startServer, type ServerProcess } from '../lib/process.js';
import { round, spread, type Spread } from '../lib/stats.js';

const taskFields = 'id status progress videoUrl error submittedAt startedAt finishedAt action upstreamStatus';
const videoTask = `query ($id: ID!) { videoTask(id: $id) { ${taskFields} } }`;
const headers = { 'content-type': 'application/json', authorization: 'Bearer bench-token' };

export interface QueryRow {
  name: string;
  requestsPerSecond: Spread;
  latencyP50Ms: Spread;
  latencyP99Ms: Spread;
  errors: number;
}

export interface QueryResults {
  rows: QueryRow[];
  ratios: Record<string, Spread>;
  unfinished: { gatewayP50Ms: Spread; simulatorP50Ms: Spread; proxyP50Ms: Spread; addedP50Ms: Spread; addedOverProxyP50Ms: Spread };
}

interface Target {
  name: string;
  url: () => string;
  body: () => string;
  connections: number;
  /** A distinct id per request (unfinished tasks): over GET to the simulator (or the proxy in front of it), or the gateway query. */
  unique?: 'simulator' | 'gateway';
}

/**
 * Throughput and latency, every server measured in each round in turn (alternating, so that the
 * noise of this shared machine falls on all of them alike); min, median and max over the rounds.
 */
export async function queries(simulator: Simulator, { quick }: { quick: boolean }): Promise<QueryResults> {
  const rounds = 3;
  const duration = quick ? 0.5 : 5;
  const finished = 'bench-done';
  simulator.setTask(finished, { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/bench-done.mp4', submit_time: 1705334400, start_time: 1705334410, finish_time: 1705334520 });
  const list = Array.from({ length: 20 }, (_, i) => `bench-list-${i}`);
  for (const id of list) simulator.setTask(id, { status: 'success', progress: '100%', fail_reason: `https://cdn.example.com/${id}.mp4` });

  const servers: ServerProcess[] = [];
  const load = startLoadGenerator();
  const run = (target: Target, seconds: number): Promise<LoadResult> =>
    load.run({
      url: target.url(),
      method: target.unique === 'simulator' ? 'GET' : 'POST',
      headers,
      body: target.unique ? undefined : target.body(),
      connections: target.connections,
      duration: seconds,
      unique: target.unique === 'simulator' ? { getPathPrefix: '/v1/video/generations/' } : target.unique === 'gateway' ? { query: videoTask } : undefined,
      precise: target.unique !== undefined,
    });
  try {
    const [floor, yoga, yogaLean, mercurius, gateway, proxy] = await Promise.all([
      startServer('floor', 'bench/servers/floor.ts'),
      startServer('yoga-hello', 'bench/servers/yoga-hello.ts', { NODE_ENV: 'production' }),
      startServer('yoga-lean', 'bench/servers/yoga-lean.ts', { NODE_ENV: 'production' }),
      startServer('mercurius-jit', 'bench/servers/mercurius.ts', { NODE_ENV: 'production' }),
      startGateway(simulator.url, 5000),
      startServer('proxy', 'bench/servers/proxy.ts', { UPSTREAM_URL: simulator.url }),
    ]);
    servers.push(floor!, yoga!, yogaLean!, mercurius!, gateway!, proxy!);
    const json = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
    const targets: Target[] = [
      { name: 'node:http fixed JSON (floor)', url: () => floor!.url, body: () => json('{ hello }'), connections: 50 },
      { name: 'yoga hello world', url: () => `${yoga!.url}/graphql`, body: () => json('{ hello }'), connections: 50 },
      { name: 'yoga tuned as the gateway: videoTask from memory', url: () => `${yogaLean!.url}/graphql`, body: () => json(videoTask, { id: finished }), connections: 50 },
      { name: 'mercurius jit: videoTask', url: () => `${mercurius!.url}/graphql`, body: () => json(videoTask, { id: finished }), connections: 50 },
      { name: 'gateway: videoTask (finished, cached)', url: () => `${gateway!.url}/graphql`, body: () => json(videoTask, { id: finished }), connections: 50 },
      { name: 'gateway: videoTasks, 20 ids (cached)', url: () => `${gateway!.url}/graphql`, body: () => json(`query ($ids: [ID!]!) { videoTasks(ids: $ids) { ${taskFields} } }`, { ids: list }), connections: 50 },
      { name: 'simulator direct: unfinished task', url: () => simulator.url, body: () => '', connections: 8, unique: 'simulator' },
      { name: 'reverse proxy (node:http + undici): unfinished task', url: () => proxy!.url, body: () => '', connections: 8, unique: 'simulator' },
      { name: 'gateway: videoTask (unfinished, 1 upstream call)', url: () => `${gateway!.url}/graphql`, body: () => '', connections: 8, unique: 'gateway' },
    ];

    // Warm-up: JIT, caches, connection pools.
    if (!quick) for (const target of targets) await run(target, 1);
    const samples = new Map<string, LoadResult[]>();
    for (let r = 0; r < rounds; r++) {
      for (const target of targets) {
        const result = await run(target, duration);
        samples.set(target.name, [...(samples.get(target.name) ?? []), result]);
      }
    }
    const rows: QueryRow[] = targets.map(({ name }) => {
      const results = samples.get(name)!;
      return {
        name,
        requestsPerSecond: spread(results.map((r) => r.requestsPerSecond)),
        latencyP50Ms: spread(results.map((r) => r.p50)),
        latencyP99Ms: spread(results.map((r) => r.p99)),
        errors: results.reduce((n, r) => n + r.errors, 0),
      };
    });
    const perRound = (name: string) => samples.get(name)!.map((r) => r.requestsPerSecond);
    const ratio = (a: string, b: string) => spread(perRound(a).map((v, i) => round(v / perRound(b)[i]!, 3)));
    const latency = (name: string) => samples.get(name)!.map((r) => r.p50);
    return {
      rows,
      ratios: {
        'cached videoTask / yoga hello world': ratio('gateway: videoTask (finished, cached)', 'yoga hello world'),
        'cached videoTask / mercurius jit': ratio('gateway: videoTask (finished, cached)', 'mercurius jit: videoTask'),
        'cached videoTask / HTTP floor': ratio('gateway: videoTask (finished, cached)', 'node:http fixed JSON (floor)'),
        'tuned yoga, from memory / mercurius jit': ratio('yoga tuned as the gateway: videoTask from memory', 'mercurius jit: videoTask'),
      },
      unfinished: {
        gatewayP50Ms: spread(latency('gateway: videoTask (unfinished, 1 upstream call)')),
        simulatorP50Ms: spread(latency('simulator direct: unfinished task')),
        proxyP50Ms: spread(latency('reverse proxy (node:http + undici): unfinished task')),
        addedP50Ms: spread(latency('gateway: videoTask (unfinished, 1 upstream call)').map((v, i) => round(v - latency('simulator direct: unfinished task')[i]!, 2))),
        addedOverProxyP50Ms: spread(
          latency('gateway: videoTask (unfinished, 1 upstream call)').map((v, i) => round(v - latency('reverse proxy (node:http + undici): unfinished task')[i]!, 2)),
        ),
      },
    };
  } finally {
    load.stop();
    await Promise.all(servers.map((s) => s.stop()));
  }
}
