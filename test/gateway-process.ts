import { spawn, type ChildProcess } from 'node:child_process';
import { settings } from '../src/config.js';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Starting the process compiles TypeScript on the fly: seconds on a busy machine. */
export const START_TIMEOUT_MS = 60_000;

export interface GatewayProcess {
  child: ChildProcess;
  /** The base URL it logged, http://… */
  url: string;
  port: number;
  /** The GraphQL endpoint, http://… */
  endpoint: string;
  wsEndpoint: string;
  /** Its JSON log lines so far. */
  lines: Record<string, unknown>[];
  /** Its stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }
});

// Settings a developer's shell might export (every variable of the schema), which would change what
// the process under test does.
const configVariables = [...Object.keys(settings), 'NODE_OPTIONS'];

/** `node --import tsx src/index.ts` with `env`, killed after the file's tests if still running. */
export function spawnGatewayProcess(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string; lines: Record<string, unknown>[]; ready: Promise<string> } {
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
  // Callers that expect a refusal never await it.
  ready.catch(() => {});
  return { child, exited, stderr: () => stderr, lines, ready };
}

/** A gateway process on a free port, resolved once it logged "Gateway ready". */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const started = spawnGatewayProcess(env);
  const endpoint = await started.ready;
  const url = endpoint.replace(/\/graphql$/, '');
  return { ...started, url, port: Number(new URL(url).port), endpoint, wsEndpoint: endpoint.replace(/^http/, 'ws') };
}
