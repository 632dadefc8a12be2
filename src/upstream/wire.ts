import { z } from 'zod';

// Liberal by design: deployments of the upstream differ between versions. Each field falls back
// to `undefined` instead of failing the whole response, and unknown fields are ignored;
// normalize.ts decides what a missing or odd value means.
const text = z.string().optional().catch(undefined);
const scalar = z.union([z.string(), z.number()]).optional().catch(undefined);

/** One task as the upstream sends it, documented shape and real deployments alike. */
export const UpstreamTask = z.object({
  task_id: scalar,
  action: text,
  status: text,
  progress: scalar,
  fail_reason: text,
  result_url: text,
  video_url: text,
  url: text,
  submit_time: scalar,
  start_time: scalar,
  finish_time: scalar,
});
export type UpstreamTask = z.infer<typeof UpstreamTask>;

/** The response envelope: `{ code, message?, data }`. */
export const UpstreamEnvelope = z.object({
  code: scalar,
  message: text,
  data: z.unknown().optional(),
});
export type UpstreamEnvelope = z.infer<typeof UpstreamEnvelope>;

/** The `code` the upstream gives an unknown task. */
export const UPSTREAM_TASK_NOT_EXIST = 'task_not_exist';
