import type { Simulator } from '../../src/simulator/index.js';
import { startGateway } from '../lib/gateway.js';
import { startServer, type ServerProcess } from '../lib/process.js';
import { percentile, round, sleep, spread, until, type Spread } from '../lib/stats.js';
import { openFleet } from '../lib/ws-clients.js';

const query = 'subscription ($id: ID!) { videoTaskUpdated(id: $id) { id status progress videoUrl error } }';

export interface CapacityRow {
  server: string;
  subscriptions: number;
  rssPerSubscriptionKb: number;
  deliveryP50Ms: Spread;
  deliveryP99Ms: Spread;
  serverCpuUsPerDelivery: number;
}

/**
 * N subscriptions (connections x 10) over 100 tasks on one process: memory per subscription,
 * and the time from the poll that sees a change to each subscriber receiving it.
 */
export async function capacity(simulator: Simulator, { quick }: { quick: boolean }): Promise<CapacityRow[]> {
  const connections = quick ? 100 : 1000;
  const rounds = quick ? 2 : 5;
  const rows: CapacityRow[] = [];
  // The gateway first, then the naive reference, each in a fresh process.
  for (const kind of ['gateway', 'naive'] as const) {
    const intervalMs = 1000;
    const server =
      kind === 'gateway'
        ? await startGateway(simulator.url, intervalMs, { POLL_JITTER: '0.2' })
        : await startServer('naive yoga + graphql-ws', 'bench/servers/naive-subscriptions.ts', { UPSTREAM_URL: simulator.url, POLL_INTERVAL_MS: String(intervalMs), NODE_ENV: 'production' });
    try {
      rows.push(await measure(kind === 'gateway' ? 'gateway (grouped)' : 'naive yoga + graphql-ws', server, simulator, connections, rounds, intervalMs, quick ? 500 : 2000));
    } finally {
      await server.stop();
    }
  }
  return rows;
}

async function measure(name: string, server: ServerProcess, simulator: Simulator, connections: number, rounds: number, intervalMs: number, settleMs: number): Promise<CapacityRow> {
  const tasks = Array.from({ length: 100 }, (_, t) => `cap-${name.split(' ')[0]}-${t}`);
  let progress = 10;
  const pin = () => {
    for (const id of tasks) simulator.setTask(id, { status: 'in_progress', progress: `${progress}%`, fail_reason: '' });
  };
  pin();
  // Warm the server up with a small fleet so that RSS measures subscriptions, not JIT and pools.
  const warm = await openFleet({ url: server.url, token: 'bench-token', connections: 10, perConnection: 10, taskIdFor: (n) => tasks[n % 100]!, query });
  await until(() => warm.ready >= 100, 30_000, 'warm-up');
  await warm.close();
  await sleep(settleMs);
  const rssBefore = server.rss();
  const fleet = await openFleet({ url: server.url, token: 'bench-token', connections, perConnection: 10, taskIdFor: (n) => tasks[n % 100]!, query });
  const subscriptions = connections * 10;
  await until(() => fleet.ready >= subscriptions, 120_000, `${subscriptions} subscriptions`);
  await sleep(settleMs);
  const rssAfter = server.rss();

  const p50: number[] = [];
  const p99: number[] = [];
  let deliveries = 0;
  const cpuBefore = server.cpuMs();
  for (let r = 0; r < rounds; r++) {
    fleet.received.length = 0;
    progress += 1;
    const changedAt = Date.now();
    pin();
    await until(() => fleet.received.filter((m) => m.payload.data?.videoTaskUpdated?.progress === progress).length >= subscriptions, intervalMs * 5 + 30_000, `round ${r} deliveries`);
    // The first poll answered after the change carried it: its answer time is the start of the clock.
    const answered = new Map<string, number>();
    for (const req of simulator.requests) {
      if (req.at + 50 >= changedAt && req.taskId && tasks.includes(req.taskId) && !answered.has(req.taskId)) answered.set(req.taskId, req.at + 50);
    }
    const latencies = fleet.received.filter((m) => m.payload.data?.videoTaskUpdated?.progress === progress).map((m) => m.at - (answered.get(m.taskId) ?? changedAt));
    deliveries += latencies.length;
    p50.push(percentile(latencies, 50));
    p99.push(percentile(latencies, 99));
    await sleep(200);
  }
  const cpuMs = server.cpuMs() - cpuBefore;
  await fleet.close();
  return {
    server: name,
    subscriptions,
    rssPerSubscriptionKb: round((rssAfter - rssBefore) / subscriptions / 1024, 2),
    deliveryP50Ms: spread(p50),
    deliveryP99Ms: spread(p99),
    // Includes the polls of the rounds: small next to the deliveries.
    serverCpuUsPerDelivery: round((cpuMs * 1000) / deliveries, 1),
  };
}
