// mercurius with graphql-jit (jit: 1), answering the gateway's videoTask shape from memory.
import Fastify from 'fastify';
import mercurius from 'mercurius';

const schema = /* GraphQL */ `
  enum VideoTaskStatus { SUBMITTED QUEUED IN_PROGRESS SUCCESS FAILURE UNKNOWN }
  type VideoTask {
    id: ID!
    status: VideoTaskStatus!
    progress: Int!
    videoUrl: String
    error: String
    submittedAt: String
    startedAt: String
    finishedAt: String
    action: String
    upstreamStatus: String!
  }
  type Query { videoTask(id: ID!): VideoTask }
`;
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
const app = Fastify({ logger: false });
await app.register(mercurius, { schema, resolvers: { Query: { videoTask: (_: unknown, { id }: { id: string }) => task(id) } }, jit: 1, graphiql: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ url }));

// Exit cleanly on SIGTERM, so that --cpu-prof can write its profile.
process.once('SIGTERM', () => process.exit(0));
