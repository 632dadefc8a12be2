/** The normalized state of a task, as the gateway serves it. */
export type VideoTaskStatus = 'SUBMITTED' | 'QUEUED' | 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE' | 'UNKNOWN';

export const videoTaskStatuses: readonly VideoTaskStatus[] = ['SUBMITTED', 'QUEUED', 'IN_PROGRESS', 'SUCCESS', 'FAILURE', 'UNKNOWN'];

export interface VideoTask {
  readonly id: string;
  readonly status: VideoTaskStatus;
  /** 0 to 100. */
  readonly progress: number;
  /** Set only when SUCCESS, and then only if the upstream gave a URL. */
  readonly videoUrl: string | null;
  /** Set only when FAILURE. */
  readonly error: string | null;
  /** ISO 8601 in UTC, null when the upstream says "not yet". */
  readonly submittedAt: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly action: string | null;
  /** The upstream's status string, untouched. */
  readonly upstreamStatus: string;
}

/** SUCCESS and FAILURE never change again. */
export function isFinal(status: VideoTaskStatus): boolean {
  return status === 'SUCCESS' || status === 'FAILURE';
}

const keys = ['status', 'progress', 'videoUrl', 'error', 'submittedAt', 'startedAt', 'finishedAt', 'action', 'upstreamStatus'] as const;

/** Whether two states of the same task differ in any field. */
export function taskChanged(a: VideoTask, b: VideoTask): boolean {
  for (const key of keys) if (a[key] !== b[key]) return true;
  return false;
}
