// The operations every example client runs, typed by codegen (`npm run codegen` writes examples/gql/,
// including persisted-documents.json, the manifest a TRUSTED_DOCUMENTS deployment loads).
import { graphql } from './gql/index.js';

export const TaskQuery = graphql(`
  query Task($id: ID!) {
    videoTask(id: $id) {
      id
      status
      progress
      videoUrl
      error
    }
  }
`);

export const TaskUpdates = graphql(`
  subscription TaskUpdates($id: ID!) {
    videoTaskUpdated(id: $id) {
      id
      status
      progress
      videoUrl
      error
    }
  }
`);
