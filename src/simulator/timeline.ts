/**
 * Which wire format the simulator answers with: `documented` follows the
 * upstream's published doc; `current` is what newer deployments actually send.
 */
export type SimulatorShape = 'documented' | 'current';

/** Where a task is on its simulated life, independent of the wire format. */
export type SimulatedPhase = 'not_start' | 'queued' | 'in_progress' | 'success' | 'failure';

/** A task's position on the timeline, in milliseconds since it was first asked for. */
export interface SimulatedTimeline {
  phase: SimulatedPhase;
  /** 0 to 100. */
  progress: number;
  /** When processing started; undefined until it has. */
  startedAfterMs?: number | undefined;
  /** When the task reached its final phase; undefined until it has. */
  finishedAfterMs?: number | undefined;
}

/** Why a simulated task fails, so tests can assert the upstream's reason is passed through. */
export const SIMULATED_FAIL_REASON =
  'The video could not be generated: the prompt was rejected by the content filter (simulated).';

const QUEUED_AT = 0.1;
const STARTED_AT = 0.25;
const FAILED_AT = 0.6;

/** Ids containing `fail` end in failure, so any client can provoke one without controls. */
export function isFailingTask(taskId: string): boolean {
  return /fail/i.test(taskId);
}

/** The phase and progress of a task `elapsedMs` after it was first asked for. */
export function simulateTimeline(taskId: string, elapsedMs: number, durationMs: number): SimulatedTimeline {
  // A zero duration means "already done", not a division by zero.
  const fraction = durationMs > 0 ? elapsedMs / durationMs : Infinity;
  const startedAfterMs = STARTED_AT * durationMs;
  if (fraction < QUEUED_AT) return { phase: 'not_start', progress: 0 };
  if (fraction < STARTED_AT) return { phase: 'queued', progress: 10 };
  if (isFailingTask(taskId) && fraction >= FAILED_AT) {
    return { phase: 'failure', progress: 100, startedAfterMs, finishedAfterMs: FAILED_AT * durationMs };
  }
  if (fraction >= 1) return { phase: 'success', progress: 100, startedAfterMs, finishedAfterMs: durationMs };
  const progress = Math.min(99, 10 + Math.floor(((fraction - STARTED_AT) / (1 - STARTED_AT)) * 90));
  return { phase: 'in_progress', progress, startedAfterMs };
}

/** Everything {@link simulateTaskData} needs; all times are in milliseconds. */
export interface SimulatedTaskInput {
  taskId: string;
  shape: SimulatorShape;
  elapsedMs: number;
  durationMs: number;
  /** When the task was first asked for (epoch ms). */
  submittedAt: number;
  /** Where the finished video is served. */
  videoUrl: string;
  /** The numeric row id that `current` deployments expose next to `task_id`. */
  numericId: number;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** The `data` object of a task status answer, in the given shape. */
export function simulateTaskData(input: SimulatedTaskInput): Record<string, unknown> {
  const { taskId, shape, submittedAt, videoUrl } = input;
  const timeline = simulateTimeline(taskId, input.elapsedMs, input.durationMs);
  const { phase } = timeline;
  const submitTime = seconds(submittedAt);
  const startTime = timeline.startedAfterMs === undefined ? 0 : seconds(submittedAt + timeline.startedAfterMs);
  const finishTime = timeline.finishedAfterMs === undefined ? 0 : seconds(submittedAt + timeline.finishedAfterMs);
  const failReason = phase === 'failure' ? SIMULATED_FAIL_REASON : '';
  const common = { task_id: taskId, action: 'generate' };
  const times = { submit_time: submitTime, start_time: startTime, finish_time: finishTime };
  const progress = `${timeline.progress}%`;

  if (shape === 'documented') {
    // The doc has no "not started" status, and carries the video URL in fail_reason.
    const status = phase === 'not_start' ? 'queued' : phase;
    const reason = phase === 'success' ? videoUrl : failReason;
    return { ...common, status, progress, fail_reason: reason, ...times };
  }
  return {
    id: input.numericId,
    ...common,
    platform: 'doubao',
    user_id: 1,
    channel_id: 1,
    quota: 0,
    status: phase.toUpperCase(),
    progress,
    fail_reason: failReason,
    result_url: phase === 'success' ? videoUrl : '',
    properties: {},
    ...times,
    created_at: submitTime,
    updated_at: finishTime || startTime || submitTime,
  };
}
