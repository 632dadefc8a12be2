import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

const exampleQuery = /* GraphQL */ `# Welcome to the video-task gateway.
# Run the query, then the subscription: it streams the task until it ends.
# Create a task with the mutation (it spends money on a real upstream; the
# demo simulator is free), then watch its id with the subscription.
# Unless the gateway has a default key (UPSTREAM_API_KEY, or demo mode),
# set yours in Headers: {"Authorization": "Bearer YOUR_API_KEY"}

query Task {
  videoTask(id: "demo-1") {
    id
    status
    progress
    videoUrl
    error
    submittedAt
  }
}

subscription Watch {
  videoTaskUpdated(id: "demo-2") {
    status
    progress
    videoUrl
    error
  }
}

mutation Create {
  createVideoTask(input: {
    model: "doubao-seedance-1-0-pro-250528"
    prompt: "a red fox running through fresh snow, cinematic"
    durationSeconds: 5
    ratio: "16:9"
    idempotencyKey: "my-first-video"
  }) {
    id
    status
    progress
    submittedAt
  }
}
`;

/**
 * GraphiQL with its assets bundled in the page (nothing from a CDN, so it works offline),
 * rendered once: the page is large and identical for every request.
 */
export function graphiqlOptions(needsCredential: boolean): { graphiql: GraphiQLOptions; renderGraphiQL: (opts?: GraphiQLOptions) => string } {
  let page: string | undefined;
  return {
    graphiql: {
      title: 'Video task gateway',
      defaultQuery: exampleQuery,
      // Without a configured default key, every request needs one: show where it goes.
      headers: needsCredential ? JSON.stringify({ Authorization: 'Bearer YOUR_API_KEY' }, null, 2) : '{}',
      subscriptionsProtocol: 'WS',
    },
    renderGraphiQL: (opts) => (page ??= renderGraphiQL(opts)),
  };
}
