import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Resident set size of the process now, in bytes (from /proc). */
  rss(): number;
  /** CPU time the process has used so far, in ms (from /proc). */
  cpuMs(): number;
  stop(): Promise<void>;
  /** SIGKILL: the process dies without a goodbye (a crash, a lost node). */
  kill(): Promise<void>;
}

const root = new URL('../../', import.meta.url).pathname;

/** Starts `node <script>` (through tsx when it is TypeScript) and waits for the first stdout line carrying a `url`. */
export async function startServer(name: string, script: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: string };
        if (parsed.url) {
          clearTimeout(timer);
          resolve(parsed.url.replace(/\/graphql$/, ''));
        }
      } catch {
        // Not a JSON line.
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it started`)));
  });
  child.stdout!.resume();
  const pid = child.pid!;
  return {
    name,
    url,
    pid,
    rss: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    cpuMs: () => {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
