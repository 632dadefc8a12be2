// graphql-yoga tuned the way the gateway runs it (body read in front of yoga, graphql-jit, lean
// options), answering the videoTask shape from memory: the ceiling of the yoga stack here.
import { createServer, type IncomingMessage } from 'node:http';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createSchema, createYoga } from 'graphql-yoga';

const task = (id: string) => ({
  id,
  status: 'SUCCESS',
  progress: 100,
  videoUrl: `https://cdn.example.com/${id}.mp4`,
  error: null,
  submittedAt: '2024-01-15T16:00:00.000Z',
  startedAt: '2024-01-15T16:00:10.000Z',
  finishedAt: '2024-01-15T16:02:00.000Z',
  action: 'generate',
  upstreamStatus: 'success',
});
const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      enum VideoTaskStatus { SUBMITTED QUEUED IN_PROGRESS SUCCESS FAILURE UNKNOWN }
      type VideoTask { id: ID! status: VideoTaskStatus! progress: Int! videoUrl: String error: String submittedAt: String startedAt: String finishedAt: String action: String upstreamStatus: String! }
      type Query { videoTask(id: ID!): VideoTask }
    `,
    resolvers: { Query: { videoTask: (_: unknown, { id }: { id: string }) => task(id) } },
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
