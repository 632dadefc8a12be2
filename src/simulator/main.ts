import { createSimulator } from './simulator.js';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be an integer >= 0, got "${raw}"`);
  return value;
}

const shape = process.env.SIMULATOR_SHAPE || 'documented';
if (shape !== 'documented' && shape !== 'current') {
  throw new Error(`SIMULATOR_SHAPE must be "documented" or "current", got "${shape}"`);
}

const simulator = await createSimulator({
  port: envNumber('SIMULATOR_PORT', 4010),
  host: process.env.SIMULATOR_HOST || '127.0.0.1',
  durationMs: envNumber('SIMULATOR_DURATION_MS', 60_000),
  latencyMs: envNumber('SIMULATOR_LATENCY_MS', 0),
  shape,
});

console.log(
  `Upstream simulator (${shape} shape) listening on ${simulator.url}; try: ` +
    `curl -H "Authorization: Bearer test" ${simulator.url}/v1/video/generations/task_demo`,
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // Nothing else holds the event loop, so the process exits once the server is gone.
  process.once(signal, () => void simulator.dispose());
}
