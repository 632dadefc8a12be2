// The subscription reference: yoga + graphql-ws as their docs show them. Every subscriber gets its
// own pubsub iterator and its own execution and serialization of each event. Upstream polling is
// shared (one loop per task, as in the gateway), so only the GraphQL side differs.
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import { createPubSub, createSchema, createYoga, Repeater } from 'graphql-yoga';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { typeDefs } from './video-task-shape.js';
import { createUpstreamClient } from '../../src/upstream/client.js';
import { normalizeTask } from '../../src/upstream/normalize.js';
import { taskChanged, type VideoTask } from '../../src/upstream/video-task.js';

const upstream = process.env.UPSTREAM_URL!;
const interval = Number(process.env.POLL_INTERVAL_MS ?? 1000);
const client = createUpstreamClient({ baseUrl: upstream });
// One target for all topics, as createPubSub makes by default, without the listener-count warning.
const target = new EventTarget();
setMaxListeners(0, target);
const pubsub = createPubSub<Record<string, [VideoTask]>>({ eventTarget: target });
const loops = new Map<string, { last?: VideoTask; watchers: number; timer?: NodeJS.Timeout }>();

function watch(token: string, id: string): () => void {
  let loop = loops.get(id);
  if (!loop) {
    const created: { last?: VideoTask; watchers: number; timer?: NodeJS.Timeout } = { watchers: 0 };
    loops.set(id, (loop = created));
    const tick = async () => {
      const result = await client.fetchTask(token, id);
      if (result.ok) {
        const task = normalizeTask(id, result.task);
        if (!created.last || taskChanged(created.last, task)) {
          created.last = task;
          pubsub.publish(`task:${id}`, task);
        }
      }
      if (created.watchers > 0) created.timer = setTimeout(tick, interval);
    };
    void tick();
  }
  loop.watchers++;
  const owned = loop;
  return () => {
    if (--owned.watchers === 0) {
      clearTimeout(owned.timer);
      loops.delete(id);
    }
  };
}

const schema = createSchema({
  typeDefs: `${typeDefs}
    type Query { videoTask(id: ID!): VideoTask }
    type Subscription { videoTaskUpdated(id: ID!): VideoTask! }
  `,
  resolvers: {
    Query: { videoTask: () => null },
    Subscription: {
      videoTaskUpdated: {
        subscribe: (_: unknown, { id }: { id: string }, ctx: { token: string }) =>
          new Repeater<VideoTask>(async (push, stop) => {
            const unwatch = watch(ctx.token, id);
            const existing = loops.get(id)?.last;
            if (existing) await push(existing);
            const source = pubsub.subscribe(`task:${id}`);
            stop.then(() => {
              unwatch();
              void source.return?.();
            });
            for await (const task of source) await push(task);
          }),
        resolve: (task: VideoTask) => task,
      },
    },
  },
});

const yoga = createYoga({ schema, logging: false, graphiql: false });
const server = createServer(yoga);
const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
useServer(
  {
    execute: (args: any) => args.rootValue.execute(args),
    subscribe: (args: any) => args.rootValue.subscribe(args),
    onSubscribe: async (ctx: any, _id: string, params: any) => {
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params });
      const args = {
        schema,
        operationName: params.operationName,
        document: parse(params.query),
        variableValues: params.variables,
        contextValue: { ...(await contextFactory()), token: String(ctx.connectionParams?.authorization ?? '').replace(/^Bearer\s+/i, '') },
        rootValue: { execute, subscribe },
      };
      const errors = validate(args.schema, args.document);
      return errors.length ? errors : args;
    },
  },
  wss,
);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}` }));
});

// Exit cleanly on SIGTERM, so that --cpu-prof can write its profile.
process.once('SIGTERM', () => process.exit(0));
