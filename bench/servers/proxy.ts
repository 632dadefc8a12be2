// The fair anchor for an unfinished task's latency: a minimal reverse proxy (node:http + undici,
// keep-alive, no GraphQL) in front of the same simulator. What the gateway adds over it is its own
// work; what the proxy adds over the simulator is the cost of any extra hop.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const upstream = process.env.UPSTREAM_URL!;
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
const server = createServer((req, res) => {
  request(`${upstream}${req.url ?? '/'}`, { method: 'GET', dispatcher: agent, headers: { authorization: req.headers.authorization ?? '', accept: 'application/json' } })
    .then(async (answer) => {
      const body = Buffer.from(await answer.body.arrayBuffer());
      res.writeHead(answer.statusCode, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    })
    .catch(() => {
      res.writeHead(502);
      res.end();
    });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
});
process.once('SIGTERM', () => process.exit(0));
