import { loadavg } from 'node:os';
import type { Simulator } from '../../src/simulator/index.js';
import { startGateway, metric } from '../lib/gateway.js';
import type { ServerProcess } from '../lib/process.js';
import { startRedis } from '../lib/redis.js';
import { percentile, round, sleep, until } from '../lib/stats.js';
import { openFleet, type SubscriberFleet } from '../lib/ws-clients.js';

const query = 'subscription ($id: ID!) { videoTaskUpdated(id: $id) { status progress } }';
const instances = 3;
const pollIntervalMs = 500;
// Short, so that the takeover is measured in seconds; the default is 15 s.
const leaseTtlMs = 2000;

export interface FleetRow {
  mode: 'fleet (Redis)' | 'no Redis';
  tenancy: 'one token' | 'token per subscriber';
  subscribers: number;
  tasks: number;
  /** Distinct (credential, task) pairs, each watched on every instance. */
  keys: number;
  ticks: number;
  upstreamCalls: number;
  callsPerKeyTick: number;
  redisCommandsPerSecond: number | null;
  redisCommandsPerSecondPer1000Keys: number | null;
}

export interface FleetLatency {
  mode: 'fleet (Redis)' | 'no Redis';
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

export interface FleetResult {
  instances: number;
  pollIntervalMs: number;
  leaseTtlMs: number;
  loadAverage: number;
  rows: FleetRow[];
  latency: FleetLatency[];
  takeover: { ms: number; targetMs: number };
}

/**
 * Three gateway processes on one Redis against the same three without it: upstream calls per
 * (credential, task) and tick, Redis commands, upstream change → client event, and the time
 * another instance takes to poll a task whose owner was killed.
 */
export async function fleet(simulator: Simulator, { quick }: { quick: boolean }): Promise<FleetResult> {
  const perInstance = quick ? 100 : 1000;
  const tasks = quick ? 10 : 100;
  const ticks = quick ? 6 : 20;
  const latencyRounds = quick ? 3 : 8;
  const redis = await startRedis();
  const rows: FleetRow[] = [];
  const latency: FleetLatency[] = [];
  let takeover = { ms: Number.NaN, targetMs: leaseTtlMs + pollIntervalMs };
  const loads: number[] = [];
  try {
    for (const withRedis of [true, false]) {
      const mode = withRedis ? 'fleet (Redis)' : 'no Redis';
      const env: Record<string, string> = {
        // 1,000 (credential, task) keys every 500 ms with 50 ms answers need ~100 requests in flight.
        UPSTREAM_CONCURRENCY: '256',
        ...(withRedis ? { REDIS_URL: redis.url, FINGERPRINT_SECRET: 'bench-fleet-secret-0123456789abcdef', LEASE_TTL_MS: String(leaseTtlMs) } : {}),
      };
      const gateways = await Promise.all(Array.from({ length: instances }, () => startGateway(simulator.url, pollIntervalMs, env)));
      try {
        if (withRedis) for (const g of gateways) if ((await metric(g.url, 'fleet_redis_up')) !== 1) throw new Error(`${g.url} is not in fleet mode`);
        for (const tenancy of ['one token', 'token per subscriber'] as const) {
          const many = tenancy === 'token per subscriber';
          const prefix = `fleet-${withRedis ? 'redis' : 'alone'}-${many ? 'many' : 'one'}`;
          const ids = Array.from({ length: tasks }, (_, t) => `${prefix}-${t}`);
          let progress = 50;
          const pin = () => {
            for (const id of ids) simulator.setTask(id, { status: 'in_progress', progress: `${progress}%`, fail_reason: '', start_time: 1_700_000_000 });
          };
          pin();
          // The same subscribers on every instance: subscriber n watches task n % T, with token n
          // when every subscriber is a tenant of its own (so each key is watched on all instances).
          const fleets: SubscriberFleet[] = [];
          for (const g of gateways) {
            fleets.push(
              await openFleet({
                url: g.url,
                token: 'bench-token',
                tokenFor: many ? (c) => `bench-tenant-${c}` : undefined,
                connections: many ? perInstance : perInstance / 10,
                perConnection: many ? 1 : 10,
                taskIdFor: (n) => ids[n % tasks]!,
                query,
                record: !many,
              }),
            );
          }
          await until(() => fleets.every((f) => f.ready >= perInstance), 120_000, `${instances} x ${perInstance} subscriptions`);
          const countCalls = () => simulator.requests.filter((r) => r.taskId?.startsWith(prefix)).length;
          const commandsBefore = withRedis ? await redis.commandsProcessed() : Number.NaN;
          const before = countCalls();
          const started = performance.now();
          await sleep(ticks * pollIntervalMs);
          const calls = countCalls() - before;
          const commands = withRedis ? (await redis.commandsProcessed()) - commandsBefore : Number.NaN;
          const elapsedMs = performance.now() - started;
          loads.push(loadavg()[0]!);
          // Ticks of the interval that really elapsed (a loaded machine oversleeps).
          const elapsedTicks = elapsedMs / pollIntervalMs;
          const keys = many ? perInstance : tasks;
          const perSecond = commands / (elapsedMs / 1000);
          rows.push({
            mode,
            tenancy,
            subscribers: instances * perInstance,
            tasks,
            keys,
            ticks: round(elapsedTicks, 1),
            upstreamCalls: calls,
            callsPerKeyTick: round(calls / (keys * elapsedTicks)),
            redisCommandsPerSecond: withRedis ? round(perSecond, 0) : null,
            redisCommandsPerSecondPer1000Keys: withRedis ? round((perSecond * 1000) / keys, 0) : null,
          });
          if (!many) {
            // Upstream change → client event on every instance's subscribers.
            const latencies: number[] = [];
            const seen = () => fleets.flatMap((f) => f.received.filter((m) => m.payload.data?.videoTaskUpdated?.progress === progress));
            for (let r = 0; r < latencyRounds; r++) {
              await sleep(Math.random() * pollIntervalMs);
              for (const f of fleets) f.received.length = 0;
              progress++;
              const changedAt = performance.timeOrigin + performance.now();
              pin();
              await until(() => seen().length >= instances * perInstance, 30_000, 'the change on every subscriber');
              for (const m of seen()) latencies.push(m.at - changedAt);
            }
            latency.push({ mode, samples: latencies.length, p50Ms: round(percentile(latencies, 50), 1), p99Ms: round(percentile(latencies, 99), 1) });
          }
          await Promise.all(fleets.map((f) => f.close()));
          for (const g of gateways) await waitForIdle(g.url);
        }
        if (withRedis) takeover = { ms: await measureTakeover(simulator, gateways), targetMs: leaseTtlMs + pollIntervalMs };
      } finally {
        await Promise.all(gateways.map((g) => g.stop()));
      }
    }
  } finally {
    await redis.stop();
  }
  return { instances, pollIntervalMs, leaseTtlMs, loadAverage: round(Math.max(...loads), 1), rows, latency, takeover };
}

/** SIGKILL the owner of a task watched on all instances: ms until another instance polls it. */
async function measureTakeover(simulator: Simulator, gateways: ServerProcess[]): Promise<number> {
  const id = 'fleet-takeover';
  simulator.setTask(id, { status: 'in_progress', progress: '50%', fail_reason: '', start_time: 1_700_000_000 });
  const polls = () => simulator.requests.filter((r) => r.taskId === id);
  const subscribe = (g: ServerProcess) => openFleet({ url: g.url, token: 'bench-token', connections: 1, perConnection: 1, taskIdFor: () => id, query, record: false });
  // The first instance to watch the task takes its lease; the others only fan out.
  const owner = await subscribe(gateways[0]!);
  await until(() => owner.ready >= 1, 30_000, 'the owner subscription');
  const others = await Promise.all(gateways.slice(1).map(subscribe));
  await until(() => others.every((f) => f.ready >= 1), 30_000, 'the other subscriptions');
  // Kill just after one of the owner's polls, so that none of its requests is still on the way.
  const n = polls().length;
  await until(() => polls().length > n, pollIntervalMs * 10, "the owner's next poll");
  await sleep(50);
  const killedAt = Date.now();
  await gateways[0]!.kill();
  await until(() => polls().some((r) => r.at > killedAt), 60_000, 'a poll by another instance');
  const ms = polls().find((r) => r.at > killedAt)!.at - killedAt;
  await Promise.all([owner, ...others].map((f) => f.close()));
  return ms;
}

async function waitForIdle(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await metric(url, 'poll_loops_active')) > 0) await sleep(50);
}

