import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** Paths pino blanks out wherever they appear, so that no token reaches a log line. */
export const redactedPaths = [
  'authorization',
  'token',
  'headers.authorization',
  '*.authorization',
  '*.Authorization',
  '*.token',
  '*.headers.authorization',
  'connectionParams',
  '*.connectionParams',
];

/** JSON logs on stdout (or `destination`), with tokens redacted. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'video-task-gateway' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      // Error messages may quote an Authorization header someone pasted in the wrong place.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(scrub) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

const bearer = /(bearer\s+)[^\s"',;]+/gi;

/**
 * Replaces anything that looks like a bearer token in strings, error messages and stacks, and in
 * the values of objects and arrays a few levels down (`logger.error({ err })` included).
 */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(bearer, '$1[redacted]');
  if (depth > 3 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) {
    const text = `${value.message}\n${value.stack ?? ''}`;
    if (text.replace(bearer, '') === text && Object.keys(value).length === 0 && value.cause === undefined) return value;
    const copy = new Error(scrub(value.message) as string, value.cause === undefined ? undefined : { cause: scrub(value.cause, depth + 1) });
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : (scrub(value.stack) as string);
    for (const [key, v] of Object.entries(value)) (copy as unknown as Record<string, unknown>)[key] = scrub(v, depth + 1);
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  // Copies only when something changed: most log objects hold no token.
  const entries = Object.entries(value);
  let changed = false;
  const scrubbed = entries.map(([k, v]) => {
    const s = scrub(v, depth + 1);
    if (s !== v) changed = true;
    return [k, s] as const;
  });
  return changed ? Object.fromEntries(scrubbed) : value;
}
