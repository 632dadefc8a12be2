// CI: the production install works on its own. Run from a clean copy that holds only dist/,
// package.json and package-lock.json, after `npm ci --omit=dev`: starts `node dist/index.js` (demo
// mode), runs a query and a graphql-ws subscription to its final state, sends SIGTERM and expects
// exit code 0. Plain JavaScript: no dev dependency (tsx, vitest) is there to run anything else.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const fail = (message) => {
  console.error(`production smoke: ${message}`);
  process.exit(1);
};
const timer = setTimeout(() => fail('timed out'), 120_000);

const child = spawn(process.execPath, ['dist/index.js'], {
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', POLL_INTERVAL_MS: '500' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
let ready = false;
const url = await new Promise((resolve) => {
  createInterface({ input: child.stdout }).on('line', (text) => {
    process.stdout.write(`  | ${text}\n`);
    let line;
    try {
      line = JSON.parse(text);
    } catch {
      fail(`a log line is not JSON: ${text}`);
    }
    if (String(line.msg).startsWith('Gateway ready')) {
      ready = true;
      resolve(line.url);
    }
  });
  void exited.then((code) => ready || fail(`exited with ${code} before it was ready`));
});

const query = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ videoTask(id: "smoke-1") { id status } }' }) });
const queried = await query.json();
if (queried.data?.videoTask?.id !== 'smoke-1') fail(`unexpected query answer ${JSON.stringify(queried)}`);
console.log('query ok:', JSON.stringify(queried));

const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
const statuses = await new Promise((resolve, reject) => {
  const seen = [];
  client.subscribe(
    { query: 'subscription { videoTaskUpdated(id: "smoke-2") { status progress } }' },
    { next: (result) => seen.push(result.data?.videoTaskUpdated?.status), error: reject, complete: () => resolve(seen) },
  );
});
await client.dispose();
if (statuses.at(-1) !== 'SUCCESS') fail(`the subscription ended with ${JSON.stringify(statuses)}`);
console.log('subscription ok:', [...new Set(statuses)].join(' → '));

child.kill('SIGTERM');
const code = await exited;
clearTimeout(timer);
if (code !== 0) fail(`exit code ${code} after SIGTERM`);
console.log('SIGTERM ok: exit 0');
