import type { UpstreamTask } from './wire.js';
import type { VideoTask, VideoTaskStatus } from './video-task.js';

const statuses = new Map<string, VideoTaskStatus>(Object.entries({
  not_start: 'SUBMITTED',
  submitted: 'SUBMITTED',
  queued: 'QUEUED',
  in_progress: 'IN_PROGRESS',
  success: 'SUCCESS',
  failure: 'FAILURE',
} satisfies Record<string, VideoTaskStatus>));

/** The message a FAILURE gets when the upstream gave no reason. */
export const NO_FAILURE_REASON = 'The upstream reported a failure without a reason.';

/**
 * Maps a task as the upstream sent it to the gateway's {@link VideoTask}. Pure and total:
 * any input gives a valid task, odd values fall back to safe defaults instead of throwing.
 *
 * @param id - the id the client asked for (the upstream's `task_id` may be absent or differ in form)
 */
export function normalizeTask(id: string, raw: UpstreamTask): VideoTask {
  const upstreamStatus = raw.status ?? '';
  const status = statuses.get(upstreamStatus.trim().toLowerCase()) ?? 'UNKNOWN';
  const failReason = nonEmpty(raw.fail_reason);
  return {
    id,
    status,
    progress: normalizeProgress(raw.progress, status),
    videoUrl: status === 'SUCCESS' ? (pickUrl(raw.result_url, raw.video_url, raw.url, failReason) ?? null) : null,
    error: status === 'FAILURE' ? (failReason ?? NO_FAILURE_REASON) : null,
    submittedAt: normalizeTimestamp(raw.submit_time),
    startedAt: normalizeTimestamp(raw.start_time),
    finishedAt: normalizeTimestamp(raw.finish_time),
    action: nonEmpty(raw.action) ?? null,
    upstreamStatus,
  };
}

/** `"50%"`, `"50"`, `50` and `49.6` all give 50; a final task without a usable value gives 100. */
export function normalizeProgress(value: string | number | undefined, status: VideoTaskStatus): number {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value.trim().replace(/%$/, '')) : Number.NaN;
  if (!Number.isFinite(parsed)) return status === 'SUCCESS' || status === 'FAILURE' ? 100 : 0;
  return Math.min(100, Math.max(0, Math.round(parsed)));
}

/**
 * Unix seconds (a number or a numeric string) to ISO 8601 in UTC; 0, negative, missing or
 * unparsable values mean "not yet" and give null. Values too large to be seconds are taken as
 * milliseconds, which some deployments send.
 */
export function normalizeTimestamp(value: string | number | undefined): string | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) return null;
  const ms = n >= 1e11 ? n : n * 1000;
  const date = new Date(Math.round(ms));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function pickUrl(...candidates: (string | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    const value = nonEmpty(candidate);
    if (value && /^https?:\/\/\S+$/i.test(value)) return value;
  }
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
