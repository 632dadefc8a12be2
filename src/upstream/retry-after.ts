/** `Retry-After` as seconds or an HTTP date, in ms, capped at a minute; undefined when absent or odd. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  // Date.parse is lenient ("x 1" is a date): only an HTTP date (ending in GMT) is read as one.
  const seconds = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) * 1000 : /\bGMT\s*$/.test(raw) ? Date.parse(raw) - now : Number.NaN;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(60_000, Math.max(0, Math.round(seconds)));
}
