import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The process's own lines, checked in a child process: captureConsole replaces global console
// methods and process warning listeners, which the test runner must keep.

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

const script = `
import { captureConsole, createProcessLogger } from './src/logger.ts';
const logger = await createProcessLogger('info', process.env.FORMAT, false);
captureConsole(logger);
console.log('a library says hello', { detail: 1 });
console.error(new Error('a library failed'));
console.warn('Authorization: Bearer sk-leaked-token');
process.emitWarning('This feature is deprecated', 'DeprecationWarning');
setTimeout(() => logger.info('done'), 50);
`;

async function linesOf(format: string): Promise<string[]> {
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env: { ...process.env, FORMAT: format } });
  expect(stderr).toBe('');
  return stdout.split('\n').filter(Boolean);
}

describe('process logs', () => {
  it('should write every line as JSON, console calls and warnings included, when stdout is not a terminal', async () => {
    const lines = await linesOf('auto');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map((line) => line.msg)).toEqual(['a library says hello', 'a library failed', 'Authorization: Bearer [redacted]', 'This feature is deprecated', 'done']);
    expect(parsed[1]).toMatchObject({ level: 50, err: { message: 'a library failed' } });
    expect(parsed[3]).toMatchObject({ level: 40, warning: { name: 'DeprecationWarning' } });
    expect(lines.join('\n')).not.toContain('sk-leaked-token');
  });

  it('should write readable lines with pino-pretty when LOG_FORMAT is pretty', async () => {
    const lines = await linesOf('pretty');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.some((line) => line.startsWith('{'))).toBe(false);
    expect(lines.join('\n')).toContain('a library says hello');
    expect(lines.join('\n')).not.toContain('sk-leaked-token');
  });
});
