/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** What to generate. Typed fields for what Doubao/Seedance models accept; `metadata` for any other provider field. */
export type CreateVideoTaskInput = {
  cameraFixed?: boolean | null | undefined;
  /** Length of the video in seconds, 1 to 60. */
  durationSeconds?: number | null | undefined;
  generateAudio?: boolean | null | undefined;
  /** Makes the create safe to retry: a repeat with the same key and input returns the same task without creating another (see the README). */
  idempotencyKey?: string | null | undefined;
  /** First frame or reference images, at most 10: `https:` URLs or `data:image/…` URLs. */
  imageUrls?: Array<string> | null | undefined;
  /** Passed through to the upstream `metadata`; the typed fields above win over the same keys. */
  metadata?: Record<string, unknown> | null | undefined;
  /** The upstream model, e.g. `doubao-seedance-1-0-pro-250528`. */
  model: string;
  /** What the video shows, 1 to 5000 characters. */
  prompt: string;
  /** Aspect ratio, one of 16:9, 9:16, 1:1, 4:3, 3:4, 21:9, adaptive. */
  ratio?: string | null | undefined;
  /** One of 480p, 720p, 1080p. */
  resolution?: string | null | undefined;
  /** Random seed, -1 for a random one. */
  seed?: number | null | undefined;
  watermark?: boolean | null | undefined;
};

/** Where the gateway's copy of a finished task's video is. ARCHIVED and FAILED are final. */
export type VideoArchiveStatus =
  /** Stored: `url` serves it. */
  | 'ARCHIVED'
  /** Not stored, and not retried: `error` says why. */
  | 'FAILED'
  /** Being downloaded (or looked up in the store). */
  | 'PENDING';

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

export type TaskArchiveQueryVariables = Exact<{
  id: string;
}>;


export type TaskArchiveQuery = { videoTask: { status: VideoTaskStatus, archive: { status: VideoArchiveStatus, url: string | null, sizeBytes: number | null, contentType: string | null, sha256: string | null, archivedAt: string | null, error: string | null } | null } | null };

export type ArchiveUpdatedSubscriptionVariables = Exact<{
  id: string;
}>;


export type ArchiveUpdatedSubscription = { videoTaskUpdated: { status: VideoTaskStatus, archive: { status: VideoArchiveStatus, url: string | null } | null } };

export type ArchiveStatusFragment = { archive: { status: VideoArchiveStatus, url: string | null } | null };

export type ArchivesUpdatedSubscriptionVariables = Exact<{
  ids: Array<string> | string;
}>;


export type ArchivesUpdatedSubscription = { videoTasksUpdated: { id: string, status: VideoTaskStatus, archive: { status: VideoArchiveStatus } | null } };

export type StatusUpdatedSubscriptionVariables = Exact<{
  id: string;
}>;


export type StatusUpdatedSubscription = { videoTaskUpdated: { status: VideoTaskStatus, videoUrl: string | null } };

export type S3TaskArchiveQueryVariables = Exact<{
  id: string;
}>;


export type S3TaskArchiveQuery = { videoTask: { status: VideoTaskStatus, archive: { status: VideoArchiveStatus, url: string | null, sha256: string | null } | null } | null };

export type VideoTaskQueryVariables = Exact<{
  id: string;
}>;


export type VideoTaskQuery = { videoTask: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null, submittedAt: string | null, startedAt: string | null, finishedAt: string | null, action: string | null, upstreamStatus: string } | null };

export type VideoTasksQueryVariables = Exact<{
  ids: Array<string> | string;
}>;


export type VideoTasksQuery = { videoTasks: Array<{ id: string, status: VideoTaskStatus, progress: number } | null> };

export type VideoTaskUpdatedSubscriptionVariables = Exact<{
  id: string;
}>;


export type VideoTaskUpdatedSubscription = { videoTaskUpdated: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null } };

export type VideoTaskStatusUpdatedSubscriptionVariables = Exact<{
  id: string;
}>;


export type VideoTaskStatusUpdatedSubscription = { videoTaskUpdated: { status: VideoTaskStatus } };

export type VideoTasksUpdatedSubscriptionVariables = Exact<{
  ids: Array<string> | string;
}>;


export type VideoTasksUpdatedSubscription = { videoTasksUpdated: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null } };

export type CreateVideoTaskMutationVariables = Exact<{
  input: CreateVideoTaskInput;
}>;


export type CreateVideoTaskMutation = { createVideoTask: { id: string, status: VideoTaskStatus, progress: number, submittedAt: string | null, upstreamStatus: string } };

export const ArchiveStatusFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArchiveStatus"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"VideoTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"archive"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}}]}}]} as unknown as DocumentNode<ArchiveStatusFragment, unknown>;
export const TaskArchiveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TaskArchive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"archive"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"contentType"}},{"kind":"Field","name":{"kind":"Name","value":"sha256"}},{"kind":"Field","name":{"kind":"Name","value":"archivedAt"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]} as unknown as DocumentNode<TaskArchiveQuery, TaskArchiveQueryVariables>;
export const ArchiveUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ArchiveUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTaskUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"FragmentSpread","name":{"kind":"Name","value":"ArchiveStatus"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ArchiveStatus"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"VideoTask"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"archive"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"url"}}]}}]}}]} as unknown as DocumentNode<ArchiveUpdatedSubscription, ArchiveUpdatedSubscriptionVariables>;
export const ArchivesUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ArchivesUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTasksUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"archive"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<ArchivesUpdatedSubscription, ArchivesUpdatedSubscriptionVariables>;
export const StatusUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"StatusUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTaskUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"videoUrl"}}]}}]}}]} as unknown as DocumentNode<StatusUpdatedSubscription, StatusUpdatedSubscriptionVariables>;
export const S3TaskArchiveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"S3TaskArchive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"archive"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"sha256"}}]}}]}}]}}]} as unknown as DocumentNode<S3TaskArchiveQuery, S3TaskArchiveQueryVariables>;
export const VideoTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VideoTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"}},{"kind":"Field","name":{"kind":"Name","value":"videoUrl"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"submittedAt"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamStatus"}}]}}]}}]} as unknown as DocumentNode<VideoTaskQuery, VideoTaskQueryVariables>;
export const VideoTasksDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VideoTasks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTasks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"}}]}}]}}]} as unknown as DocumentNode<VideoTasksQuery, VideoTasksQueryVariables>;
export const VideoTaskUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"VideoTaskUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTaskUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"}},{"kind":"Field","name":{"kind":"Name","value":"videoUrl"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<VideoTaskUpdatedSubscription, VideoTaskUpdatedSubscriptionVariables>;
export const VideoTaskStatusUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"VideoTaskStatusUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTaskUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<VideoTaskStatusUpdatedSubscription, VideoTaskStatusUpdatedSubscriptionVariables>;
export const VideoTasksUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"VideoTasksUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"ids"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoTasksUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"ids"},"value":{"kind":"Variable","name":{"kind":"Name","value":"ids"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"}},{"kind":"Field","name":{"kind":"Name","value":"videoUrl"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<VideoTasksUpdatedSubscription, VideoTasksUpdatedSubscriptionVariables>;
export const CreateVideoTaskDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateVideoTask"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateVideoTaskInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createVideoTask"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"progress"}},{"kind":"Field","name":{"kind":"Name","value":"submittedAt"}},{"kind":"Field","name":{"kind":"Name","value":"upstreamStatus"}}]}}]}}]} as unknown as DocumentNode<CreateVideoTaskMutation, CreateVideoTaskMutationVariables>;