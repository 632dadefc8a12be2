import { graphql } from './gql/index.js';

// The operations the tests send, typed by codegen from schema.graphql.

export const VideoTaskQuery = graphql(`
  query VideoTask($id: ID!) {
    videoTask(id: $id) {
      id
      status
      progress
      videoUrl
      error
      submittedAt
      startedAt
      finishedAt
      action
      upstreamStatus
    }
  }
`);

export const VideoTasksQuery = graphql(`
  query VideoTasks($ids: [ID!]!) {
    videoTasks(ids: $ids) {
      id
      status
      progress
    }
  }
`);

export const VideoTaskUpdated = graphql(`
  subscription VideoTaskUpdated($id: ID!) {
    videoTaskUpdated(id: $id) {
      id
      status
      progress
      videoUrl
      error
    }
  }
`);

export const VideoTaskStatusUpdated = graphql(`
  subscription VideoTaskStatusUpdated($id: ID!) {
    videoTaskUpdated(id: $id) {
      status
    }
  }
`);

export const VideoTasksUpdated = graphql(`
  subscription VideoTasksUpdated($ids: [ID!]!) {
    videoTasksUpdated(ids: $ids) {
      id
      status
      progress
      videoUrl
      error
    }
  }
`);

export const CreateVideoTask = graphql(`
  mutation CreateVideoTask($input: CreateVideoTaskInput!) {
    createVideoTask(input: $input) {
      id
      status
      progress
      submittedAt
      upstreamStatus
    }
  }
`);
