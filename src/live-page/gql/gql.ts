/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation CreateLiveTask($input: CreateVideoTaskInput!) {\n    createVideoTask(input: $input) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n": typeof types.CreateLiveTaskDocument,
    "\n  subscription SessionTasks($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n": typeof types.SessionTasksDocument,
    "\n  subscription VideoTaskLive($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n      submittedAt\n      startedAt\n      finishedAt\n      archive {\n        status\n        url\n        error\n      }\n    }\n  }\n": typeof types.VideoTaskLiveDocument,
};
const documents: Documents = {
    "\n  mutation CreateLiveTask($input: CreateVideoTaskInput!) {\n    createVideoTask(input: $input) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n": types.CreateLiveTaskDocument,
    "\n  subscription SessionTasks($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n": types.SessionTasksDocument,
    "\n  subscription VideoTaskLive($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n      submittedAt\n      startedAt\n      finishedAt\n      archive {\n        status\n        url\n        error\n      }\n    }\n  }\n": types.VideoTaskLiveDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateLiveTask($input: CreateVideoTaskInput!) {\n    createVideoTask(input: $input) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n"): typeof import('./graphql.js').CreateLiveTaskDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SessionTasks($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n"): typeof import('./graphql.js').SessionTasksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription VideoTaskLive($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n      submittedAt\n      startedAt\n      finishedAt\n      archive {\n        status\n        url\n        error\n      }\n    }\n  }\n"): typeof import('./graphql.js').VideoTaskLiveDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
