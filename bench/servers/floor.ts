// The HTTP floor: node:http answering a fixed JSON body, whatever the request.
import { createServer } from 'node:http';

const body = JSON.stringify({ data: { videoTask: { id: 'bench-done', status: 'SUCCESS', progress: 100 } } });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
});

// Exit cleanly on SIGTERM, so that --cpu-prof can write its profile.
process.once('SIGTERM', () => process.exit(0));
