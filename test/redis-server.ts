import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { onDispose } from './helpers.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Kills the server (SIGKILL: no goodbye to clients); its data goes with it. */
  kill(): Promise<void>;
  /** Starts an empty server on the same port again. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** A free loopback port, as the kernel hands them out. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A throwaway redis-server on a free loopback port, without persistence; killed after the file's tests. */
export async function startRedis(): Promise<TestRedis> {
  let port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
      started.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });
  }

  async function kill(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  }

  // The free port may be taken by another test process between the check and the start: try anew.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      if (attempt === 5) throw error;
      port = await freePort();
    }
  }
  onDispose(kill);
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start, dispose: kill };
}
