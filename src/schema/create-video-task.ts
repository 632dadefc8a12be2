import { createGraphQLError } from 'graphql-yoga';
import { JSONObjectResolver } from 'graphql-scalars';
import type { Context } from '../context.js';
import type { Credential } from '../credential.js';
import { ErrorCode } from '../errors.js';
import type { CreateTaskInput } from '../upstream/create-request.js';
import { builder } from './builder.js';
import { requireCredential } from './credential.js';
import { codedError, toGraphQLError } from './errors.js';
import { VideoTask } from './video-task.js';

builder.addScalarType('JSONObject', JSONObjectResolver);

export const RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', 'adaptive'] as const;
export const RESOLUTIONS = ['480p', '720p', '1080p'] as const;

/** Bounds of the input, checked before any upstream call. */
export const CREATE_LIMITS = {
  modelLength: 128,
  promptLength: 5000,
  imageUrls: 10,
  /** An https URL; data: URLs are bounded by the request body limit only. */
  imageUrlLength: 2048,
  durationSeconds: [1, 60],
  seed: [-1, 2_147_483_647],
  metadataBytes: 16_384,
  idempotencyKeyLength: 255,
} as const;

const CreateVideoTaskInput = builder.inputType('CreateVideoTaskInput', {
  description: 'What to generate. Typed fields for what Doubao/Seedance models accept; `metadata` for any other provider field.',
  fields: (t) => ({
    model: t.string({ required: true, description: 'The upstream model, e.g. `doubao-seedance-1-0-pro-250528`.' }),
    prompt: t.string({ required: true, description: `What the video shows, 1 to ${CREATE_LIMITS.promptLength} characters.` }),
    imageUrls: t.stringList({ description: `First frame or reference images, at most ${CREATE_LIMITS.imageUrls}: \`https:\` URLs or \`data:image/…\` URLs.` }),
    durationSeconds: t.int({ description: `Length of the video in seconds, ${CREATE_LIMITS.durationSeconds[0]} to ${CREATE_LIMITS.durationSeconds[1]}.` }),
    resolution: t.string({ description: `One of ${RESOLUTIONS.join(', ')}.` }),
    ratio: t.string({ description: `Aspect ratio, one of ${RATIOS.join(', ')}.` }),
    seed: t.int({ description: 'Random seed, -1 for a random one.' }),
    generateAudio: t.boolean(),
    watermark: t.boolean(),
    cameraFixed: t.boolean(),
    metadata: t.field({ type: 'JSONObject', description: 'Passed through to the upstream `metadata`; the typed fields above win over the same keys.' }),
    idempotencyKey: t.string({
      description: 'Makes the create safe to retry: a repeat with the same key and input returns the same task without creating another (see the README).',
    }),
  }),
});

builder.mutationFields((t) => ({
  createVideoTask: t.field({
    type: VideoTask,
    nullable: false,
    description:
      'Creates a video-generation task (this spends money upstream) and returns it, QUEUED. Watch it with `videoTaskUpdated`. ' +
      'With `idempotencyKey`, retrying is safe: the same key and input give the same task.',
    args: { input: t.arg({ type: CreateVideoTaskInput, required: true }) },
    resolve: async (_, { input }, ctx) => {
      const credential = requireCreateCredential(ctx);
      const checked = checkCreateInput(input);
      if (!ctx.creator) throw new Error('createVideoTask needs ctx.creator.');
      const result = await ctx.creator.create(credential, checked, input.idempotencyKey ?? undefined);
      if (!result.ok) throw toGraphQLError(result.failure);
      return result.task;
    },
  }),
}));

/** The client's own credential; the default key only when ALLOW_DEFAULT_KEY_CREATE says so. */
function requireCreateCredential(ctx: Context): Credential {
  const credential = requireCredential(ctx);
  if (ctx.usesDefaultKey && !ctx.allowDefaultKeyCreate) {
    throw codedError(
      ErrorCode.Unauthenticated,
      'Creating a task spends money, so it needs your own credential: send "Authorization: Bearer <token>". The gateway\'s default key may only read tasks (ALLOW_DEFAULT_KEY_CREATE is off).',
    );
  }
  return credential;
}

type RawInput = {
  model: string;
  prompt: string;
  imageUrls?: readonly string[] | null | undefined;
  durationSeconds?: number | null | undefined;
  resolution?: string | null | undefined;
  ratio?: string | null | undefined;
  seed?: number | null | undefined;
  generateAudio?: boolean | null | undefined;
  watermark?: boolean | null | undefined;
  cameraFixed?: boolean | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  idempotencyKey?: string | null | undefined;
};

function invalid(field: string, message: string): never {
  throw createGraphQLError(`input.${field}: ${message}`, { extensions: { code: ErrorCode.BadUserInput, field: `input.${field}` } });
}

const MODEL_PATTERN = /^[\x21-\x7e]+$/;
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** The input, checked field by field; the first bad field fails with BAD_USER_INPUT naming it. */
export function checkCreateInput(input: RawInput): CreateTaskInput {
  const L = CREATE_LIMITS;
  if (input.model.length < 1 || input.model.length > L.modelLength || !MODEL_PATTERN.test(input.model)) {
    invalid('model', `must be 1 to ${L.modelLength} printable ASCII characters without spaces.`);
  }
  if (input.prompt.trim() === '' || input.prompt.length > L.promptLength) invalid('prompt', `must be 1 to ${L.promptLength} characters, not only spaces.`);
  if (input.imageUrls) {
    if (input.imageUrls.length > L.imageUrls) invalid('imageUrls', `at most ${L.imageUrls} images.`);
    input.imageUrls.forEach((url, i) => checkImageUrl(url, `imageUrls[${i}]`));
  }
  checkRange('durationSeconds', input.durationSeconds, L.durationSeconds);
  checkRange('seed', input.seed, L.seed);
  if (input.resolution != null && !(RESOLUTIONS as readonly string[]).includes(input.resolution)) invalid('resolution', `must be one of ${RESOLUTIONS.join(', ')}.`);
  if (input.ratio != null && !(RATIOS as readonly string[]).includes(input.ratio)) invalid('ratio', `must be one of ${RATIOS.join(', ')}.`);
  if (input.metadata != null && Buffer.byteLength(JSON.stringify(input.metadata)) > L.metadataBytes) invalid('metadata', `at most ${L.metadataBytes} bytes of JSON.`);
  if (input.idempotencyKey != null && (input.idempotencyKey.length < 1 || input.idempotencyKey.length > L.idempotencyKeyLength || !KEY_PATTERN.test(input.idempotencyKey))) {
    invalid('idempotencyKey', `must be 1 to ${L.idempotencyKeyLength} printable ASCII characters without spaces.`);
  }
  return {
    model: input.model,
    prompt: input.prompt,
    imageUrls: input.imageUrls ?? undefined,
    durationSeconds: input.durationSeconds ?? undefined,
    resolution: input.resolution ?? undefined,
    ratio: input.ratio ?? undefined,
    seed: input.seed ?? undefined,
    generateAudio: input.generateAudio ?? undefined,
    watermark: input.watermark ?? undefined,
    cameraFixed: input.cameraFixed ?? undefined,
    metadata: input.metadata ?? undefined,
  };
}

function checkRange(field: string, value: number | null | undefined, [min, max]: readonly [number, number]): void {
  if (value != null && (value < min || value > max)) invalid(field, `must be between ${min} and ${max}.`);
}

function checkImageUrl(value: string, field: string): void {
  if (/^data:/i.test(value)) {
    if (!/^data:image\/[a-z0-9.+-]+(;[a-z0-9=.+-]+)*;base64,[A-Za-z0-9+/]+=*$/i.test(value)) invalid(field, 'a data: URL must be a base64 image, e.g. data:image/png;base64,….');
    return;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid(field, 'must be an https: or data: URL.');
  }
  if (url.protocol !== 'https:') invalid(field, 'must be an https: or data: URL.');
  if (value.length > CREATE_LIMITS.imageUrlLength) invalid(field, `an https: URL has at most ${CREATE_LIMITS.imageUrlLength} characters.`);
}
