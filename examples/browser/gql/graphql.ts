/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
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

export type TaskStateQueryVariables = Exact<{
  id: string;
}>;


export type TaskStateQuery = { videoTask: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null } | null };

export type TaskLiveSubscriptionVariables = Exact<{
  id: string;
}>;


export type TaskLiveSubscription = { videoTaskUpdated: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const TaskStateDocument = new TypedDocumentString(`
    query TaskState($id: ID!) {
  videoTask(id: $id) {
    id
    status
    progress
    videoUrl
    error
  }
}
    `) as unknown as TypedDocumentString<TaskStateQuery, TaskStateQueryVariables>;
export const TaskLiveDocument = new TypedDocumentString(`
    subscription TaskLive($id: ID!) {
  videoTaskUpdated(id: $id) {
    id
    status
    progress
    videoUrl
    error
  }
}
    `) as unknown as TypedDocumentString<TaskLiveSubscription, TaskLiveSubscriptionVariables>;