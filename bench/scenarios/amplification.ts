import type { Simulator } from '../../src/simulator/index.js';
import { startGateway, metric } from '../lib/gateway.js';
import { round, sleep, until } from '../lib/stats.js';
import { openFleet } from '../lib/ws-clients.js';

const query = 'subscription ($id: ID!) { videoTaskUpdated(id: $id) { status progress } }';

export interface AmplificationRow {
  subscribers: number;
  tasks: number;
  ticks: number;
  upstreamCalls: number;
  callsPerTaskTick: number;
  directPollingPerTaskTick: number;
  finishedTaskExtraCalls: number;
}

/**
 * S subscribers over T tasks for K ticks: upstream calls per (task, tick). Tasks are pinned
 * IN_PROGRESS (no change, so only polls count); then the same fleet on finished tasks, where
 * nothing but the first lookup per task may reach the upstream.
 */
export async function amplification(simulator: Simulator, { quick }: { quick: boolean }): Promise<AmplificationRow[]> {
  // 100 tasks polled every 500 ms with 50 ms answers fit in the default UPSTREAM_CONCURRENCY (16);
  // a shorter interval would measure the budget instead.
  const intervalMs = 500;
  const ticks = quick ? 4 : 20;
  const sizes = quick ? [1, 1000] : [1, 100, 1000, 10_000];
  const gateway = await startGateway(simulator.url, intervalMs);
  const rows: AmplificationRow[] = [];
  try {
    for (const tasks of [1, 100]) {
      for (const subscribers of sizes) {
        if (subscribers < tasks) continue;
        const prefix = `amp-${tasks}-${subscribers}`;
        const ids = Array.from({ length: tasks }, (_, t) => `${prefix}-${t}`);
        for (const id of ids) simulator.setTask(id, { status: 'in_progress', progress: '50%', fail_reason: '', start_time: 1_700_000_000 });
        // S subscribers spread over the given tasks, up to 10 per connection, all with a first event.
        const subscribeAll = async (taskIds: string[]) => {
          const perConnection = Math.min(10, subscribers);
          const connections = Math.ceil(subscribers / perConnection);
          const fleet = await openFleet({ url: gateway.url, token: 'bench-token', connections, perConnection, taskIdFor: (n) => taskIds[n % tasks]!, query, record: false });
          await until(() => fleet.ready >= subscribers, 60_000, `${subscribers} subscriptions`);
          return fleet;
        };
        const fleet = await subscribeAll(ids);
        const before = countCalls(simulator, prefix);
        const started = performance.now();
        await sleep(ticks * intervalMs);
        const calls = countCalls(simulator, prefix) - before;
        // Ticks of the interval that really elapsed (a loaded machine oversleeps).
        const elapsedTicks = (performance.now() - started) / intervalMs;
        await fleet.close();
        // Finished tasks: one lookup each, then the cache.
        const doneIds = ids.map((id) => `${id}-done`);
        for (const id of doneIds) simulator.setTask(id, { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/v.mp4' });
        await (await subscribeAll(doneIds)).close();
        const doneCalls = simulator.requests.filter((r) => r.taskId?.startsWith(prefix) && r.taskId.endsWith('-done')).length;
        rows.push({
          subscribers,
          tasks,
          ticks,
          upstreamCalls: calls,
          callsPerTaskTick: round(calls / (tasks * elapsedTicks)),
          directPollingPerTaskTick: subscribers / tasks,
          finishedTaskExtraCalls: doneCalls - tasks,
        });
        await waitForIdle(gateway.url);
      }
    }
  } finally {
    await gateway.stop();
  }
  return rows;
}

function countCalls(simulator: Simulator, prefix: string): number {
  let n = 0;
  for (const r of simulator.requests) if (r.taskId?.startsWith(prefix) && !r.taskId.endsWith('-done')) n++;
  return n;
}

async function waitForIdle(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await metric(url, 'poll_loops_active')) > 0) await sleep(50);
}
