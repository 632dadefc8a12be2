import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { settings } from '../src/config.js';

// `npm start` is the demo a newcomer runs: a signal sent to npm (by a process manager, or Ctrl-C in
// a terminal) must stop the gateway itself, not leave it running orphaned.

const root = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 45_000;
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
});

/** `npm start` in a process group of its own; resolves with the gateway's base URL once it logged "Gateway ready". */
async function npmStart(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; lines: Record<string, unknown>[] }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !(key in settings) && key !== 'NODE_OPTIONS'));
  const child = spawn('npm', ['start'], { cwd: root, env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: Record<string, unknown>[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('npm start did not log "Gateway ready" in time')), START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on('line', (text) => {
      if (!text.startsWith('{')) return; // npm's own banner
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      if (String(line.msg).startsWith('Gateway ready')) {
        clearTimeout(timer);
        resolve(String(line.url).replace(/\/graphql$/, ''));
      }
    });
    void exited.then(() => reject(new Error('npm start exited before it was ready')));
  });
  return { child, url, exited, lines };
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('should stop the gateway when the npm process alone gets SIGTERM', async () => {
    const { child, url, exited, lines } = await npmStart();
    expect(await answers(url)).toBe(true);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.some((line) => line.msg === 'Shutting down' && line.signal === 'SIGTERM')).toBe(true);
    expect(await answers(url)).toBe(false);
  });

  it('should stop cleanly on Ctrl-C, which signals the whole process group', async () => {
    const { child, url, exited, lines } = await npmStart();
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    expect(lines.filter((line) => line.msg === 'Shutting down')).toHaveLength(1);
    expect(await answers(url)).toBe(false);
  });
});
