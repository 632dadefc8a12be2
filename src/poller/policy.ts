import type { VideoTaskStatus } from '../upstream/video-task.js';

export interface PollPolicyOptions {
  /** Base interval between polls of one task, in ms. @default 5000 */
  intervalMs?: number | undefined;
  /** Multiplier of the interval while a task is SUBMITTED, QUEUED or UNKNOWN. @default 2 */
  queuedFactor?: number | undefined;
  /** Multiplier of the interval while a task is IN_PROGRESS. @default 1 */
  inProgressFactor?: number | undefined;
  /** Random spread of each delay as a fraction of it, so that many tasks do not poll in lock-step. @default 0.2 */
  jitter?: number | undefined;
  /** Longest delay after repeated upstream failures, in ms. @default 60000 or 16 intervals, whichever is less */
  maxBackoffMs?: number | undefined;
  /** Source of randomness in [0, 1). @default Math.random */
  random?: (() => number) | undefined;
}

export interface PollPolicy {
  /** Delay before the next poll of a task in this state. */
  delay(status: VideoTaskStatus): number;
  /** Delay after `failures` consecutive failed polls (1 or more), at least what the upstream asked for. */
  backoff(failures: number, retryAfterMs?: number | undefined): number;
}

/** When to poll next: adaptive by state, jittered, exponential backoff on failures. */
export function createPollPolicy({
  intervalMs = 5000,
  queuedFactor = 2,
  inProgressFactor = 1,
  jitter = 0.2,
  maxBackoffMs = Math.max(intervalMs, Math.min(60_000, intervalMs * 16)),
  random = Math.random,
}: PollPolicyOptions = {}): PollPolicy {
  const spread = (ms: number) => Math.max(1, Math.round(ms * (1 + jitter * (random() * 2 - 1))));
  return {
    delay(status) {
      return spread(intervalMs * (status === 'IN_PROGRESS' ? inProgressFactor : queuedFactor));
    },
    backoff(failures, retryAfterMs) {
      const exponential = Math.min(maxBackoffMs, intervalMs * 2 ** Math.max(0, failures - 1));
      return Math.max(retryAfterMs ?? 0, spread(exponential));
    },
  };
}
