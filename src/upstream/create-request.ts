import { createHash } from 'node:crypto';

/** What a client asks to generate, validated (see the schema's `CreateVideoTaskInput`). */
export interface CreateTaskInput {
  readonly model: string;
  readonly prompt: string;
  /** First frame or reference images: `https:` or `data:` URLs. */
  readonly imageUrls?: readonly string[] | undefined;
  readonly durationSeconds?: number | undefined;
  readonly resolution?: string | undefined;
  readonly ratio?: string | undefined;
  readonly seed?: number | undefined;
  readonly generateAudio?: boolean | undefined;
  readonly watermark?: boolean | undefined;
  readonly cameraFixed?: boolean | undefined;
  /** Passed through to the upstream's `metadata`, for other providers' fields. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
}

/** The JSON body of `POST /v1/video/generations`. */
export interface UpstreamCreateRequest {
  model: string;
  prompt: string;
  images?: string[];
  /** The duration as a string, as the OpenAI-style video API wants it. */
  seconds?: string;
  metadata?: Record<string, unknown>;
}

/**
 * The upstream request for an input: `seconds` (a string) and `metadata.duration` (a number) both
 * from `durationSeconds`; the typed fields go into `metadata` in the provider's snake_case and win
 * over the same keys in the client's `metadata`.
 */
export function createRequestBody(input: CreateTaskInput): UpstreamCreateRequest {
  const body: UpstreamCreateRequest = { model: input.model, prompt: input.prompt };
  if (input.imageUrls && input.imageUrls.length > 0) body.images = [...input.imageUrls];
  if (input.durationSeconds != null) body.seconds = String(input.durationSeconds);
  const typed: Record<string, unknown> = {
    resolution: input.resolution,
    ratio: input.ratio,
    duration: input.durationSeconds,
    seed: input.seed,
    generate_audio: input.generateAudio,
    watermark: input.watermark,
    camera_fixed: input.cameraFixed,
  };
  const metadata: Record<string, unknown> = { ...input.metadata };
  for (const [key, value] of Object.entries(typed)) if (value != null) metadata[key] = value;
  if (Object.keys(metadata).length > 0) body.metadata = metadata;
  return body;
}

/**
 * A hash of the input's canonical JSON (object keys sorted at every depth, absent and null fields
 * alike left out): two requests are "the same input" when their hashes are equal.
 */
export function inputFingerprint(input: CreateTaskInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

/** JSON with object keys sorted at every depth and null or undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item == null ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member != null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
