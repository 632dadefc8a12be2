// mercurius with graphql-jit (jit: 1), answering the gateway's videoTask shape from memory.
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { finishedTask, typeDefs } from './video-task-shape.js';

const schema = `${typeDefs}
  type Query { videoTask(id: ID!): VideoTask }
`;
const app = Fastify({ logger: false });
await app.register(mercurius, { schema, resolvers: { Query: { videoTask: (_: unknown, { id }: { id: string }) => finishedTask(id) } }, jit: 1, graphiql: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ url }));

// Exit cleanly on SIGTERM, so that --cpu-prof can write its profile.
process.once('SIGTERM', () => process.exit(0));
