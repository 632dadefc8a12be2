import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { spawnGateway, START_TIMEOUT_MS } from './gateway-process.js';
import { codes, collect, execute, onDispose, startSimulator, taskRequests, waitFor, wsClient } from './helpers.js';

const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs an operation through a keep-alive node:http agent; resolves with the response body. */
function postKeepAlive(agent: Agent, endpoint: string, body: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(endpoint, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer t1' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('the gateway process', () => {
  it(
    'should end subscriptions with SHUTTING_DOWN, close sockets with 1001 and exit 0 on SIGTERM',
    async () => {
      const simulator = await startSimulator();
      simulator.setTask('term-1', { status: 'in_progress', progress: '30%' });
      const gw = await spawnGateway({ UPSTREAM_URL: simulator.url, POLL_INTERVAL_MS: '20' });
      let closeCode: number | undefined;
      const client = wsClient(gw.wsEndpoint, {
        connectionParams: { authorization: 'Bearer t1' },
        on: { closed: (event) => (closeCode = (event as { code: number }).code) },
      });
      const sub = collect(client, VideoTaskUpdated, { id: 'term-1' });
      await waitFor(() => sub.results.length === 1, { message: 'the first event' });
      await waitFor(() => taskRequests(simulator, 'term-1').length >= 3, { message: 'the poll loop to run' });
      gw.child.kill('SIGTERM');
      const results = await sub.done.catch(() => sub.results);
      expect(codes(results.at(-1)!)).toEqual(['SHUTTING_DOWN']);
      await waitFor(() => closeCode !== undefined, { message: 'the socket to close' });
      expect(closeCode).toBe(1001);
      expect(await gw.exited).toBe(0);
      expect(gw.lines.some((line) => line.msg === 'Shutting down' && line.signal === 'SIGTERM')).toBe(true);
      const after = taskRequests(simulator, 'term-1').length;
      await quiet(200); // Ten poll intervals: nothing may arrive in them.
      expect(taskRequests(simulator, 'term-1')).toHaveLength(after);
    },
    START_TIMEOUT_MS + 20_000,
  );

  it(
    'should answer an HTTP query in flight when SIGTERM arrives',
    async () => {
      const simulator = await startSimulator({ latencyMs: 300 });
      simulator.setTask('slow-1', { status: 'in_progress', progress: '70%' });
      const gw = await spawnGateway({ UPSTREAM_URL: simulator.url });
      const query = execute(gw.endpoint, VideoTaskQuery, { id: 'slow-1' }, { authorization: 'Bearer t1' });
      await waitFor(() => taskRequests(simulator, 'slow-1').length === 1, { message: 'the query to reach the upstream' });
      gw.child.kill('SIGTERM');
      const result = await query;
      expect(result.errors).toBeUndefined();
      expect(result.data?.videoTask).toMatchObject({ id: 'slow-1', status: 'IN_PROGRESS', progress: 70 });
      expect(await gw.exited).toBe(0);
    },
    START_TIMEOUT_MS + 20_000,
  );

  it(
    'should exit once in-flight queries are answered, without waiting for idle keep-alive connections',
    async () => {
      const simulator = await startSimulator({ latencyMs: 300 });
      simulator.setTask('slow-2', { status: 'in_progress', progress: '70%' });
      const gw = await spawnGateway({ UPSTREAM_URL: simulator.url, SHUTDOWN_TIMEOUT_MS: '30000' });
      // A client that keeps its connection open after the answer, as browsers and proxies do.
      const agent = new Agent({ keepAlive: true });
      onDispose(() => agent.destroy());
      const query = postKeepAlive(agent, gw.endpoint, { query: '{ videoTask(id: "slow-2") { status } }' });
      await waitFor(() => taskRequests(simulator, 'slow-2').length === 1, { message: 'the query to reach the upstream' });
      gw.child.kill('SIGTERM');
      const body = await query;
      expect(JSON.parse(body)).toEqual({ data: { videoTask: { status: 'IN_PROGRESS' } } });
      const answeredAt = Date.now();
      await gw.exited;
      // Node keeps an idle keep-alive connection for 5 s; the process has nothing left to wait for.
      expect(Date.now() - answeredAt).toBeLessThan(2500);
    },
    START_TIMEOUT_MS + 20_000,
  );

  it(
    'should start in demo mode without UPSTREAM_URL and answer queries',
    async () => {
      const gw = await spawnGateway({});
      expect(gw.lines.some((line) => String(line.msg).startsWith('Demo mode') && typeof line.upstream === 'string')).toBe(true);
      const result = await execute(gw.endpoint, '{ videoTask(id: "demo-1") { status progress } }');
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ videoTask: { status: expect.any(String), progress: expect.any(Number) } });
      gw.child.kill('SIGTERM');
      expect(await gw.exited).toBe(0);
    },
    START_TIMEOUT_MS + 20_000,
  );
});
