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

/** JSON logs on stdout (or `destination`, such as pino-pretty's stream), with tokens redacted. */
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

/**
 * Where the process's own lines go: `pretty` (colored, for people) when asked, or with `auto` in a
 * terminal outside production; JSON lines otherwise. pino-pretty is a dev dependency: without it,
 * JSON, and a line saying so.
 */
export async function createProcessLogger(level: LogLevel, format: 'auto' | 'json' | 'pretty', production: boolean): Promise<Logger> {
  const wantsPretty = format === 'pretty' || (format === 'auto' && !production && process.stdout.isTTY === true);
  if (!wantsPretty) return createLogger(level);
  try {
    const { default: pretty } = await import('pino-pretty');
    return createLogger(level, pretty({ colorize: true, ignore: 'pid,hostname,service', translateTime: 'SYS:HH:MM:ss.l' }));
  } catch {
    const logger = createLogger(level);
    logger.warn('LOG_FORMAT asks for pretty lines but pino-pretty is not installed (a dev dependency): JSON lines instead.');
    return logger;
  }
}

/**
 * Makes every line the process writes a log line: libraries' `console.*` calls and process
 * warnings (a dependency's deprecation, say) go through `logger` instead of plain text.
 */
export function captureConsole(logger: Logger): void {
  const forward = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => {
    const [first, ...rest] = args;
    if (first instanceof Error) logger[level]({ err: first, args: rest.length ? rest : undefined }, first.message);
    else logger[level](rest.length ? { args: rest } : {}, typeof first === 'string' ? first : JSON.stringify(first) ?? String(first));
  };
  console.log = forward('info');
  console.info = forward('info');
  console.debug = forward('debug');
  console.warn = forward('warn');
  console.error = forward('error');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => logger.warn({ warning: { name: warning.name, code: (warning as { code?: string }).code } }, warning.message));
}
