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

/** Replaces anything that looks like a bearer token in strings (and error messages). */
export function scrub(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(bearer, '$1[redacted]');
  if (value instanceof Error && bearer.test(value.message)) {
    bearer.lastIndex = 0;
    const copy = new Error(value.message.replace(bearer, '$1[redacted]'));
    copy.name = value.name;
    return copy;
  }
  bearer.lastIndex = 0;
  return value;
}
