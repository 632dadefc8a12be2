import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { codes, collect, execute, onDispose, startSimulator, taskRequests, waitFor, wsClient } from './helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Starting the process compiles TypeScript on the fly: seconds on a busy machine. */
const START_TIMEOUT_MS = 30_000;

interface GatewayProcess {
  child: ChildProcess;
  /** The GraphQL endpoint it logged, http://… */
  endpoint: string;
  wsEndpoint: string;
  /** Its JSON log lines so far. */
  lines: Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }
});

// Settings a developer's shell might export, which would change what the process under test does.
const configVariables = ['PORT', 'HOST', 'UPSTREAM_URL', 'UPSTREAM_API_KEY', 'LOG_LEVEL', 'NODE_ENV', 'GRAPHIQL', 'NODE_OPTIONS', 'METRICS_TOKEN', 'SHUTDOWN_TIMEOUT_MS'];

/** `node --import tsx src/index.ts` on a free port, resolved once it logged "Gateway ready". */
async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !configVariables.includes(key)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: root,
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines: Record<string, unknown>[] = [];
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The gateway did not log "Gateway ready" within ${START_TIMEOUT_MS} ms. stderr: ${stderr}`)), START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      lines.push(line);
      if (typeof line.url === 'string' && String(line.msg).startsWith('Gateway ready')) {
        clearTimeout(timer);
        resolve(line.url);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The gateway exited with code ${code} before it was ready. stderr: ${stderr}`));
    });
  });
  const endpoint = await ready;
  return { child, endpoint, wsEndpoint: endpoint.replace(/^http/, 'ws'), lines, exited };
}

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
