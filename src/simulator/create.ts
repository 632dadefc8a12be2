import { jsonAnswer, type SimulatorAnswer } from './faults.js';

/** The ratios and resolutions the simulated Seedance models accept in `metadata`. */
export const SIMULATED_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', 'adaptive'] as const;
export const SIMULATED_RESOLUTIONS = ['480p', '720p', '1080p'] as const;

/**
 * Models that make a create fail the way a real deployment does, so that frontends can build
 * their error states against the simulator. Bodies are the upstream's real shapes: the relay's
 * own errors (`{"code","message","data"}` or `{"error":{…}}`), and provider errors relayed as
 * `fail_to_fetch_task` with the provider's raw body as the message.
 */
export const SIMULATED_CREATE_FAILURES: Readonly<Record<string, SimulatorAnswer>> = {
  // 400 from the relay's price table.
  'sim-no-price': jsonAnswer(400, { code: 'model_price_error', message: 'model_price_error: the price of model sim-no-price is not configured', data: null }),
  // 400 relayed from the provider, with a request id and nested JSON as real providers send.
  'sim-provider-rejects': jsonAnswer(400, {
    code: 'fail_to_fetch_task',
    message: JSON.stringify({
      error: { code: 'InvalidParameter', message: 'role must be specified for image contents Request id: 021764662553207f3d6b5e3a1c0c7d9ab1e2f3a4b5c6d7e8f9a0b', param: 'content.role', type: 'BadRequest' },
    }),
    data: null,
  }),
  // 451 relayed from the provider's content filter.
  'sim-content-blocked': jsonAnswer(451, {
    code: 'fail_to_fetch_task',
    message: JSON.stringify({
      error: { code: 'InputTextSensitiveContentDetected', message: 'The request failed because the input text may contain sensitive information.', type: 'BadRequest' },
    }),
    data: null,
  }),
  'sim-quota-exceeded': jsonAnswer(403, { error: { message: 'user quota is not enough', type: 'new_api_error', code: 'insufficient_user_quota' } }),
  'sim-forbidden': jsonAnswer(403, { code: 'access_denied', message: 'this token may not use model sim-forbidden', data: null }),
  'sim-rate-limited': {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': '7' },
    body: JSON.stringify({ error: { message: 'too many requests, please retry later', type: 'new_api_error', code: 'rate_limit_exceeded' } }),
  },
  'sim-model-not-found': jsonAnswer(503, {
    error: { message: 'No available channel for model sim-model-not-found under group default (request id: 20261202063641234567890abcdef)', type: 'new_api_error', code: 'model_not_found' },
  }),
  // 500 relayed from a provider that is down; the message carries an address and a URL to strip.
  'sim-provider-down': jsonAnswer(500, {
    code: 'fail_to_fetch_task',
    message: JSON.stringify({ error: { message: 'upstream connect error to 10.20.30.40:443, see https://status.provider.example/incidents/42' } }),
    data: null,
  }),
  // 200 without an id: a broken deployment.
  'sim-no-id': jsonAnswer(200, { object: 'video', status: 'queued', progress: 0 }),
  // No answer at all: the client's create timeout decides.
  'sim-timeout': 'hang',
  // The connection drops after the body was read: the outcome is unknown to the client.
  'sim-connection-lost': 'reset',
};

/** The model that makes the simulator answer like older deployments: the provider's `cgt-…` id in `id` and `task_id`. */
export const SIMULATED_LEGACY_MODEL = 'sim-legacy-ids';

const invalid = (message: string): SimulatorAnswer => jsonAnswer(400, { code: 'invalid_request', message, data: null });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What the simulator's `POST /v1/video/generations` answers to this body: a validation error, one
 * of {@link SIMULATED_CREATE_FAILURES}, or `undefined` when the task is to be created.
 */
export function checkCreateRequest(body: unknown): SimulatorAnswer | undefined {
  if (!isObject(body)) return invalid('invalid request body: expected a JSON object');
  const { model, prompt, images, seconds, metadata } = body;
  if (typeof model !== 'string' || model.trim() === '') return invalid('model is required');
  if (typeof prompt !== 'string' || prompt.trim() === '') return invalid('prompt is required');
  if (images !== undefined && (!Array.isArray(images) || images.some((image) => typeof image !== 'string'))) {
    return invalid('images must be an array of image URLs');
  }
  if (seconds !== undefined && (typeof seconds !== 'string' || !/^[1-9]\d*$/.test(seconds))) return invalid('seconds must be a string holding a whole number, e.g. "5"');
  if (metadata !== undefined && !isObject(metadata)) return invalid('metadata must be an object');
  if (metadata) {
    const { ratio, resolution, duration } = metadata;
    if (ratio !== undefined && !(SIMULATED_RATIOS as readonly unknown[]).includes(ratio)) return invalid(`ratio must be one of ${SIMULATED_RATIOS.join(', ')}`);
    if (resolution !== undefined && !(SIMULATED_RESOLUTIONS as readonly unknown[]).includes(resolution)) {
      return invalid(`resolution must be one of ${SIMULATED_RESOLUTIONS.join(', ')}`);
    }
    if (duration !== undefined && typeof duration !== 'number') return invalid('duration must be a number');
  }
  return SIMULATED_CREATE_FAILURES[model];
}
