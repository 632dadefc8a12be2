/** ASCII letters, digits and `_ - . :`, starting with a letter or digit, at most 128 characters. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

export function isValidTaskId(id: unknown): id is string {
  return typeof id === 'string' && TASK_ID_PATTERN.test(id);
}

/** A message for an invalid id that does not echo control or invisible characters back. */
export function describeInvalidTaskId(id: unknown): string {
  return `Invalid task id ${describe(id)}: use 1-128 ASCII letters, digits, "_", "-", "." or ":", starting with a letter or digit.`;
}

function describe(id: unknown): string {
  if (typeof id !== 'string') return `of type ${typeof id}`;
  if (id.length === 0) return '(empty)';
  const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}...` : id).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return id.length > 40 ? `${shown} (${id.length} characters)` : shown;
}
