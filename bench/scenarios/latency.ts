import type { Simulator } from '../../src/simulator/index.js';
import { startGateway } from '../lib/gateway.js';
import { percentile, round, sleep, until } from '../lib/stats.js';
import { openFleet, type SubscriberFleet } from '../lib/ws-clients.js';

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
  const intervalMs = quick ? 500 : 1000;
  const tasks = Array.from({ length: 20 }, (_, t) => `lat-${t}`);
  const rounds = quick ? 2 : 8;
  let progress = 10;
  const pin = () => {
    for (const id of tasks) simulator.setTask(id, { status: 'in_progress', progress: `${progress}%`, fail_reason: '' });
  };
  pin();
  const gateway = await startGateway(simulator.url, intervalMs);
  const latencies: number[] = [];
  try {
    // One subscriber per task, started a twentieth of an interval apart, so that the loops poll at
    // different phases and the samples of a round are not all alike.
    const fleets: SubscriberFleet[] = [];
    for (let t = 0; t < tasks.length; t++) {
      fleets.push(await openFleet({ url: gateway.url, token: 'bench-token', connections: 1, perConnection: 1, taskIdFor: () => tasks[t]!, query: 'subscription ($id: ID!) { videoTaskUpdated(id: $id) { progress } }' }));
      await sleep(intervalMs / tasks.length);
    }
    await until(() => fleets.every((f) => f.ready >= 1), 30_000, 'subscriptions');
    const seen = () => fleets.flatMap((f) => f.received.filter((m) => m.payload.data?.videoTaskUpdated?.progress === progress));
    for (let r = 0; r < rounds; r++) {
      // A random phase against the poll loops, as a real upstream change would have.
      await sleep(Math.random() * intervalMs);
      for (const f of fleets) f.received.length = 0;
      progress++;
      const changedAt = performance.timeOrigin + performance.now();
      pin();
      await until(() => seen().length >= tasks.length, intervalMs * 4, 'the change');
      for (const m of seen()) latencies.push(m.at - changedAt);
    }
    await Promise.all(fleets.map((f) => f.close()));
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
    // The simulator answers with the state at answer time, so a poll sent up to 50 ms before the
    // change already carries it: the floor is half an interval on average.
    expectedMeanMs: intervalMs / 2,
    meanMs: round(mean, 1),
  };
}
