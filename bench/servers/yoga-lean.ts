// graphql-yoga tuned the way the gateway runs it (body read in front of yoga, graphql-jit, lean
// options), answering the videoTask shape from memory: the ceiling of the yoga stack here.
import { createServer, type IncomingMessage } from 'node:http';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createSchema, createYoga } from 'graphql-yoga';
import { finishedTask, typeDefs } from './video-task-shape.js';

const yoga = createYoga({
  schema: createSchema({
    typeDefs: `${typeDefs}
      type Query { videoTask(id: ID!): VideoTask }
    `,
    resolvers: { Query: { videoTask: (_: unknown, { id }: { id: string }) => finishedTask(id) } },
  }),
  logging: false,
  graphiql: false,
  landingPage: false,
  cors: false,
  multipart: false,
  batching: false,
  maxRequestBodySize: false,
  plugins: [useGraphQlJit()],
});
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  (req as IncomingMessage & { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  await yoga(req, res);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
});
process.once('SIGTERM', () => process.exit(0));
