/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
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

export type CreateLiveTaskMutationVariables = Exact<{
  input: CreateVideoTaskInput;
}>;


export type CreateLiveTaskMutation = { createVideoTask: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null } };

export type SessionTasksSubscriptionVariables = Exact<{
  ids: Array<string> | string;
}>;


export type SessionTasksSubscription = { videoTasksUpdated: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null } };

export type VideoTaskLiveSubscriptionVariables = Exact<{
  id: string;
}>;


export type VideoTaskLiveSubscription = { videoTaskUpdated: { id: string, status: VideoTaskStatus, progress: number, videoUrl: string | null, error: string | null, submittedAt: string | null, startedAt: string | null, finishedAt: string | null, archive: { status: VideoArchiveStatus, url: string | null, error: string | null } | null } };

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

export const CreateLiveTaskDocument = new TypedDocumentString(`
    mutation CreateLiveTask($input: CreateVideoTaskInput!) {
  createVideoTask(input: $input) {
    id
    status
    progress
    videoUrl
    error
  }
}
    `, {"hash":"sha256:9dad8cb55215dee71099fd271c90ad75b9f2d1585bca31cfe7b487cf23df446a"}) as unknown as TypedDocumentString<CreateLiveTaskMutation, CreateLiveTaskMutationVariables>;
export const SessionTasksDocument = new TypedDocumentString(`
    subscription SessionTasks($ids: [ID!]!) {
  videoTasksUpdated(ids: $ids) {
    id
    status
    progress
    videoUrl
    error
  }
}
    `, {"hash":"sha256:194a170e889bcdf4865729d71c7c2da4baea5553df5f89809485822a06124a86"}) as unknown as TypedDocumentString<SessionTasksSubscription, SessionTasksSubscriptionVariables>;
export const VideoTaskLiveDocument = new TypedDocumentString(`
    subscription VideoTaskLive($id: ID!) {
  videoTaskUpdated(id: $id) {
    id
    status
    progress
    videoUrl
    error
    submittedAt
    startedAt
    finishedAt
    archive {
      status
      url
      error
    }
  }
}
    `, {"hash":"sha256:b2460878d7065946a44e5587100b3acb6c7229b1fb57ae2042a9fbd411003f9d"}) as unknown as TypedDocumentString<VideoTaskLiveSubscription, VideoTaskLiveSubscriptionVariables>;