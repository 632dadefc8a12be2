// The load generator, in a process of its own so that it does not share an event loop with the
// simulator or the servers it measures. Reads one JSON job per stdin line, answers one JSON line.
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Pool } from 'undici';

export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | undefined;
  connections: number;
  duration: number;
  /** Each request asks for a distinct task id: a GET path prefix, or a GraphQL query taking `$id`. */
  unique?: { getPathPrefix: string } | { query: string } | undefined;
  /**
   * Closed-loop workers timing each request with performance.now() instead of autocannon, whose
   * latency histogram has whole-millisecond steps: for comparing latencies a few ms apart.
   */
  precise?: boolean | undefined;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

let sequence = 0;
const tag = `${process.pid}`;

async function runPrecise(job: LoadJob): Promise<LoadResult> {
  const origin = new URL(job.url);
  const pool = new Pool(origin.origin, { connections: job.connections });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + job.duration * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const id = `bench-p-${tag}-${sequence++}`;
      const unique = job.unique;
      const started = performance.now();
      const response = await pool.request(
        unique && 'getPathPrefix' in unique
          ? { method: 'GET', path: `${unique.getPathPrefix}${id}`, headers: job.headers }
          : { method: 'POST', path: origin.pathname, headers: job.headers, body: unique && 'query' in unique ? JSON.stringify({ query: unique.query, variables: { id } }) : job.body },
      );
      await response.body.text();
      latencies.push(performance.now() - started);
      if (response.statusCode !== 200) errors++;
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: job.connections }, worker));
  const seconds = (performance.now() - began) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? Number.NaN;
  return { requestsPerSecond: latencies.length / seconds, p50: Number(at(50).toFixed(2)), p99: Number(at(99).toFixed(2)), errors };
}

function run(job: LoadJob): Promise<LoadResult> {
  if (job.precise) return runPrecise(job);
  const unique = job.unique;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: job.url,
        method: job.method,
        headers: job.headers,
        body: job.body,
        connections: job.connections,
        duration: job.duration,
        requests: unique
          ? [
              {
                setupRequest: (req) => {
                  const id = `bench-u-${tag}-${sequence++}`;
                  if ('getPathPrefix' in unique) return { ...req, method: 'GET', path: `${unique.getPathPrefix}${id}` };
                  return { ...req, method: 'POST', body: JSON.stringify({ query: unique.query, variables: { id } }) };
                },
              },
            ]
          : undefined,
      },
      (error, result) =>
        error
          ? reject(error)
          : resolve({ requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx }),
    );
  });
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const result = await run(JSON.parse(line) as LoadJob);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
