import { print, type ExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { VideoTaskUpdated } from './documents.js';
import { spawnGateway, spawnGatewayProcess, START_TIMEOUT_MS, type GatewayProcess } from './gateway-process.js';
import { collect, onDispose, startSimulator, waitFor, wsClient } from './helpers.js';
import { startRedis } from './redis-server.js';
import { startTcpProxy } from './tcp-proxy.js';

// Real gateway processes, killed with real signals. The file's tests run one after the other.
const LEASE_TTL_MS = 1000;
const INTERVAL_MS = 50;

function fleetEnv(upstreamUrl: string, redisUrl: string): Record<string, string> {
  return {
    UPSTREAM_URL: upstreamUrl,
    REDIS_URL: redisUrl,
    FINGERPRINT_SECRET: 'fleet-process-test-secret',
    LEASE_TTL_MS: String(LEASE_TTL_MS),
    POLL_INTERVAL_MS: String(INTERVAL_MS),
    POLL_QUEUED_FACTOR: '1',
    POLL_JITTER: '0',
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
}

const auth = { connectionParams: { authorization: 'Bearer t1' } };
type Updated = { videoTaskUpdated: { status: string; progress: number } };
const statesOf = (results: ExecutionResult<Updated>[]) => results.map((r) => (r.data ? `${r.data.videoTaskUpdated.status}:${r.data.videoTaskUpdated.progress}` : 'error'));

function pin(sim: Awaited<ReturnType<typeof startSimulator>>, id: string, progress: number, status = 'in_progress'): void {
  sim.setTask(id, { status, progress: `${progress}%`, fail_reason: '', start_time: 1_700_000_000, finish_time: status === 'in_progress' ? 0 : 1_700_000_100 });
}

async function leasesHeld(gw: GatewayProcess): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return Number(/^fleet_leases_held (\S+)$/m.exec(text)?.[1] ?? NaN);
}

describe('a fleet of gateway processes', () => {
  it(
    'should refuse to start in fleet mode without FINGERPRINT_SECRET, naming it',
    async () => {
      const started = spawnGatewayProcess({ UPSTREAM_URL: 'http://127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:9' });
      expect(await started.exited).toBe(1);
      expect(started.stderr()).toMatch(/FINGERPRINT_SECRET/);
      expect(started.stderr()).toMatch(/REDIS_URL/);
    },
    START_TIMEOUT_MS,
  );

  it(
    'should deliver every later state and the final one, without duplicates, after the owner is killed with SIGKILL',
    async () => {
      const redis = await startRedis();
      const sim = await startSimulator();
      const id = 'process-sigkill';
      pin(sim, id, 10);
      const env = fleetEnv(sim.url, redis.url);
      const members = await Promise.all([spawnGateway(env), spawnGateway(env), spawnGateway(env)]);
      const subscriptions = members.map((m) => {
        const client = wsClient(m.wsEndpoint, auth);
        const subs = Array.from({ length: 5 }, () => collect(client, VideoTaskUpdated, { id }));
        // The owner's own subscribers lose their socket with it.
        for (const sub of subs) sub.done.catch(() => {});
        return subs;
      });
      await waitFor(() => subscriptions.flat().every((s) => s.results.length === 1), { message: 'every first state', timeoutMs: 10_000 });
      const owner = await waitFor(async () => {
        const held = await Promise.all(members.map(leasesHeld));
        return held.filter((n) => n === 1).length === 1 && held.reduce((a, b) => a + b, 0) === 1 ? members[held.indexOf(1)] : undefined;
      }, { message: 'one owner' });

      owner.child.kill('SIGKILL');
      await owner.exited;
      pin(sim, id, 50);
      const survivors = subscriptions.filter((_, i) => members[i] !== owner).flat();
      await waitFor(() => survivors.every((s) => s.results.length === 2), { message: 'the takeover', timeoutMs: LEASE_TTL_MS + 10_000 });
      pin(sim, id, 100, 'success');

      for (const sub of survivors) expect(statesOf(await sub.done)).toEqual(['IN_PROGRESS:10', 'IN_PROGRESS:50', 'SUCCESS:100']);
      for (const m of members.filter((m) => m !== owner)) {
        m.child.kill('SIGTERM');
        expect(await m.exited).toBe(0);
      }
    },
    START_TIMEOUT_MS + 30_000,
  );

  it(
    'should move a stock graphql-ws client to another instance on SIGTERM (close 1012, default retry) and finish its subscription there',
    async () => {
      const redis = await startRedis();
      const sim = await startSimulator();
      const id = 'process-rolling';
      pin(sim, id, 10);
      const env = fleetEnv(sim.url, redis.url);
      const [a, b] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
      const proxy = await startTcpProxy([a!.port, b!.port]);
      const closes: number[] = [];
      const errors: unknown[] = [];
      // Stock settings: default retries and waits; the client only knows the proxy's URL.
      const client = createClient({ url: `${proxy.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, ...auth, on: { closed: (event) => closes.push((event as { code: number }).code) } });
      onDispose(() => client.dispose());
      const results: ExecutionResult<Updated>[] = [];
      const done = new Promise<void>((resolve) => {
        client.subscribe<Updated>({ query: print(VideoTaskUpdated), variables: { id } }, { next: (r) => results.push(r as ExecutionResult<Updated>), error: (e) => errors.push(e), complete: resolve });
      });
      await waitFor(() => results.length === 1, { message: 'the first state', timeoutMs: 10_000 });
      expect(proxy.connections.get(a!.port)).toBe(1);

      a!.child.kill('SIGTERM');
      expect(await a!.exited).toBe(0);
      expect(closes).toEqual([1012]);
      await waitFor(() => proxy.connections.get(b!.port) === 1 && results.length === 2, { message: 'the client to resubscribe on b', timeoutMs: 15_000 });
      pin(sim, id, 50);
      await waitFor(() => results.length === 3, { message: 'the next change', timeoutMs: 10_000 });
      pin(sim, id, 100, 'success');
      await done;

      expect(errors).toEqual([]);
      // A resubscription starts with the current state, as any new subscription does.
      expect(statesOf(results)).toEqual(['IN_PROGRESS:10', 'IN_PROGRESS:10', 'IN_PROGRESS:50', 'SUCCESS:100']);
      b!.child.kill('SIGTERM');
      expect(await b!.exited).toBe(0);
    },
    START_TIMEOUT_MS + 40_000,
  );
});
