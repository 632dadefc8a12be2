// The load generator, in a process of its own so that it does not share an event loop with the
// simulator or the servers it measures. Reads one JSON job per stdin line, answers one JSON line.
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | undefined;
  connections: number;
  duration: number;
  /** Each request asks for a distinct task id: a GET path prefix, or a GraphQL query taking `$id`. */
  unique?: { getPathPrefix: string } | { query: string } | undefined;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

let sequence = 0;
const tag = `${process.pid}`;

function run(job: LoadJob): Promise<LoadResult> {
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
