import type { Simulator } from '../../src/simulator/index.js';
import { startGateway } from '../lib/gateway.js';
import { percentile, round, sleep, until } from '../lib/stats.js';
import { openFleet } from '../lib/ws-clients.js';

export interface LatencyResult {
  pollIntervalMs: number;
  upstreamLatencyMs: number;
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  expectedMeanMs: number;
  meanMs: number;
}

/** From the upstream's change to the client's event, against the poll interval. */
export async function notificationLatency(simulator: Simulator, { quick }: { quick: boolean }): Promise<LatencyResult> {
  const intervalMs = 1000;
  const tasks = Array.from({ length: 20 }, (_, t) => `lat-${t}`);
  const rounds = quick ? 3 : 8;
  let progress = 10;
  const pin = () => {
    for (const id of tasks) simulator.setTask(id, { status: 'in_progress', progress: `${progress}%`, fail_reason: '' });
  };
  pin();
  const gateway = await startGateway(simulator.url, intervalMs);
  const latencies: number[] = [];
  try {
    const fleet = await openFleet({
      url: gateway.url,
      token: 'bench-token',
      connections: 20,
      perConnection: 1,
      taskIdFor: (n) => tasks[n]!,
      query: 'subscription ($id: ID!) { videoTaskUpdated(id: $id) { progress } }',
    });
    await until(() => fleet.ready >= 20, 30_000, 'subscriptions');
    for (let r = 0; r < rounds; r++) {
      // A random phase against the poll loops, as a real upstream change would have.
      await sleep(Math.random() * intervalMs);
      fleet.received.length = 0;
      progress++;
      const changedAt = performance.timeOrigin + performance.now();
      pin();
      await until(() => fleet.received.filter((m) => m.payload.data?.videoTaskUpdated?.progress === progress).length >= 20, intervalMs * 4, 'the change');
      for (const m of fleet.received) if (m.payload.data?.videoTaskUpdated?.progress === progress) latencies.push(m.at - changedAt);
    }
    await fleet.close();
  } finally {
    await gateway.stop();
  }
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  return {
    pollIntervalMs: intervalMs,
    upstreamLatencyMs: 50,
    samples: latencies.length,
    p50Ms: round(percentile(latencies, 50), 1),
    p90Ms: round(percentile(latencies, 90), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    maxMs: round(Math.max(...latencies), 1),
    expectedMeanMs: intervalMs / 2 + 50,
    meanMs: round(mean, 1),
  };
}
