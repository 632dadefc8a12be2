/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Where a task is in its life. SUCCESS and FAILURE are final. */
export type VideoTaskStatus =
  /** Failed: `error` says why. */
  | 'FAILURE'
  /** The video is being generated. */
  | 'IN_PROGRESS'
  /** Waiting for a worker. */
  | 'QUEUED'
  /** Accepted by the upstream, not queued yet. */
  | 'SUBMITTED'
  /** Done: `videoUrl` holds the video (when the upstream gave one). */
  | 'SUCCESS'
  /** A status this gateway does not know; `upstreamStatus` holds it. */
  | 'UNKNOWN';

export type TaskQueryVariables = Exact<{
  id: string;
}>;


export type TaskQuery = { videoTask: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null } | null };

export type TaskUpdatesSubscriptionVariables = Exact<{
  id: string;
}>;


export type TaskUpdatesSubscription = { videoTaskUpdated: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null } };


export const TaskDocument = {"__meta__":{"hash":"sha256:27c11daffd2dfa2d5f473a624533df0f8763be18afa8604a77fba82fe2f18d63"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Task"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"}},{"kind":"Field","name":{"kind":"Name","value":"videoUrl"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<TaskQuery, TaskQueryVariables>;
export const TaskUpdatesDocument = {"__meta__":{"hash":"sha256:e62c971002ba45215b1e36b90a161f6ecee8b8c34fce60ad0fab72adb21d02ea"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"TaskUpdates"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTaskUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"}},{"kind":"Field","name":{"kind":"Name","value":"videoUrl"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<TaskUpdatesSubscription, TaskUpdatesSubscriptionVariables>;