/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

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
    "\n  query TaskArchive($id: ID!) {\n    videoTask(id: $id) {\n      status\n      archive {\n        status\n        url\n        sizeBytes\n        contentType\n        sha256\n        archivedAt\n        error\n      }\n    }\n  }\n": typeof types.TaskArchiveDocument,
    "\n  subscription ArchiveUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n      ...ArchiveStatus\n    }\n  }\n  fragment ArchiveStatus on VideoTask {\n    archive {\n      status\n      url\n    }\n  }\n": typeof types.ArchiveUpdatedDocument,
    "\n  subscription ArchivesUpdated($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      archive {\n        status\n      }\n    }\n  }\n": typeof types.ArchivesUpdatedDocument,
    "\n  subscription StatusUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n      videoUrl\n    }\n  }\n": typeof types.StatusUpdatedDocument,
    "\n  query S3TaskArchive($id: ID!) {\n    videoTask(id: $id) {\n      status\n      archive {\n        status\n        url\n        sha256\n      }\n    }\n  }\n": typeof types.S3TaskArchiveDocument,
    "\n  query VideoTask($id: ID!) {\n    videoTask(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n      submittedAt\n      startedAt\n      finishedAt\n      action\n      upstreamStatus\n    }\n  }\n": typeof types.VideoTaskDocument,
    "\n  query VideoTasks($ids: [ID!]!) {\n    videoTasks(ids: $ids) {\n      id\n      status\n      progress\n    }\n  }\n": typeof types.VideoTasksDocument,
    "\n  subscription VideoTaskUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n": typeof types.VideoTaskUpdatedDocument,
    "\n  subscription VideoTaskStatusUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n    }\n  }\n": typeof types.VideoTaskStatusUpdatedDocument,
    "\n  subscription VideoTasksUpdated($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n": typeof types.VideoTasksUpdatedDocument,
    "\n  mutation CreateVideoTask($input: CreateVideoTaskInput!) {\n    createVideoTask(input: $input) {\n      id\n      status\n      progress\n      submittedAt\n      upstreamStatus\n    }\n  }\n": typeof types.CreateVideoTaskDocument,
};
const documents: Documents = {
    "\n  query TaskArchive($id: ID!) {\n    videoTask(id: $id) {\n      status\n      archive {\n        status\n        url\n        sizeBytes\n        contentType\n        sha256\n        archivedAt\n        error\n      }\n    }\n  }\n": types.TaskArchiveDocument,
    "\n  subscription ArchiveUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n      ...ArchiveStatus\n    }\n  }\n  fragment ArchiveStatus on VideoTask {\n    archive {\n      status\n      url\n    }\n  }\n": types.ArchiveUpdatedDocument,
    "\n  subscription ArchivesUpdated($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      archive {\n        status\n      }\n    }\n  }\n": types.ArchivesUpdatedDocument,
    "\n  subscription StatusUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n      videoUrl\n    }\n  }\n": types.StatusUpdatedDocument,
    "\n  query S3TaskArchive($id: ID!) {\n    videoTask(id: $id) {\n      status\n      archive {\n        status\n        url\n        sha256\n      }\n    }\n  }\n": types.S3TaskArchiveDocument,
    "\n  query VideoTask($id: ID!) {\n    videoTask(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n      submittedAt\n      startedAt\n      finishedAt\n      action\n      upstreamStatus\n    }\n  }\n": types.VideoTaskDocument,
    "\n  query VideoTasks($ids: [ID!]!) {\n    videoTasks(ids: $ids) {\n      id\n      status\n      progress\n    }\n  }\n": types.VideoTasksDocument,
    "\n  subscription VideoTaskUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n": types.VideoTaskUpdatedDocument,
    "\n  subscription VideoTaskStatusUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n    }\n  }\n": types.VideoTaskStatusUpdatedDocument,
    "\n  subscription VideoTasksUpdated($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n": types.VideoTasksUpdatedDocument,
    "\n  mutation CreateVideoTask($input: CreateVideoTaskInput!) {\n    createVideoTask(input: $input) {\n      id\n      status\n      progress\n      submittedAt\n      upstreamStatus\n    }\n  }\n": types.CreateVideoTaskDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TaskArchive($id: ID!) {\n    videoTask(id: $id) {\n      status\n      archive {\n        status\n        url\n        sizeBytes\n        contentType\n        sha256\n        archivedAt\n        error\n      }\n    }\n  }\n"): (typeof documents)["\n  query TaskArchive($id: ID!) {\n    videoTask(id: $id) {\n      status\n      archive {\n        status\n        url\n        sizeBytes\n        contentType\n        sha256\n        archivedAt\n        error\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ArchiveUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n      ...ArchiveStatus\n    }\n  }\n  fragment ArchiveStatus on VideoTask {\n    archive {\n      status\n      url\n    }\n  }\n"): (typeof documents)["\n  subscription ArchiveUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n      ...ArchiveStatus\n    }\n  }\n  fragment ArchiveStatus on VideoTask {\n    archive {\n      status\n      url\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ArchivesUpdated($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      archive {\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ArchivesUpdated($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      archive {\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription StatusUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n      videoUrl\n    }\n  }\n"): (typeof documents)["\n  subscription StatusUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n      videoUrl\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query S3TaskArchive($id: ID!) {\n    videoTask(id: $id) {\n      status\n      archive {\n        status\n        url\n        sha256\n      }\n    }\n  }\n"): (typeof documents)["\n  query S3TaskArchive($id: ID!) {\n    videoTask(id: $id) {\n      status\n      archive {\n        status\n        url\n        sha256\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VideoTask($id: ID!) {\n    videoTask(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n      submittedAt\n      startedAt\n      finishedAt\n      action\n      upstreamStatus\n    }\n  }\n"): (typeof documents)["\n  query VideoTask($id: ID!) {\n    videoTask(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n      submittedAt\n      startedAt\n      finishedAt\n      action\n      upstreamStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VideoTasks($ids: [ID!]!) {\n    videoTasks(ids: $ids) {\n      id\n      status\n      progress\n    }\n  }\n"): (typeof documents)["\n  query VideoTasks($ids: [ID!]!) {\n    videoTasks(ids: $ids) {\n      id\n      status\n      progress\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription VideoTaskUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n"): (typeof documents)["\n  subscription VideoTaskUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription VideoTaskStatusUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n    }\n  }\n"): (typeof documents)["\n  subscription VideoTaskStatusUpdated($id: ID!) {\n    videoTaskUpdated(id: $id) {\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription VideoTasksUpdated($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n"): (typeof documents)["\n  subscription VideoTasksUpdated($ids: [ID!]!) {\n    videoTasksUpdated(ids: $ids) {\n      id\n      status\n      progress\n      videoUrl\n      error\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateVideoTask($input: CreateVideoTaskInput!) {\n    createVideoTask(input: $input) {\n      id\n      status\n      progress\n      submittedAt\n      upstreamStatus\n    }\n  }\n"): (typeof documents)["\n  mutation CreateVideoTask($input: CreateVideoTaskInput!) {\n    createVideoTask(input: $input) {\n      id\n      status\n      progress\n      submittedAt\n      upstreamStatus\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;