import { startServer, type ServerProcess } from './process.js';

/**
 * The gateway as deployed (the build, `node dist/index.js`; NODE_ENV=production: armor, metrics, masking, JSON logs at info), with
 * the per-address connection cap raised as behind a load balancer, and the poll interval given.
 */
export function startGateway(upstreamUrl: string, pollIntervalMs: number, extra: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  return startServer('gateway', 'dist/index.js', {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PORT: '0',
    UPSTREAM_URL: upstreamUrl,
    POLL_INTERVAL_MS: String(pollIntervalMs),
    MAX_CONNECTIONS_PER_ADDRESS: '100000',
    ...extra,
  }, nodeArgs);
}

/** A gauge or counter value from the gateway's /metrics. */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}
