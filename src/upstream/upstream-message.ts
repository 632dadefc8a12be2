/** The longest provider message passed on to a client. */
export const MAX_UPSTREAM_MESSAGE_LENGTH = 300;

const MAX_DEPTH = 6;

/**
 * What an upstream error body says, as far as it may reach a client: the innermost `message` (or
 * `error.message`) string, following messages that are themselves JSON (a relay wrapping the
 * provider's raw body), cleaned by {@link cleanUpstreamMessage}. Undefined when the body holds no
 * such message: a raw body (an HTML page, plain text) is never passed on.
 */
export function upstreamMessage(body: string, secrets: readonly string[] = []): string | undefined {
  const raw = innermostMessage(parseJson(body), 0);
  return raw === undefined ? undefined : cleanUpstreamMessage(raw, secrets) || undefined;
}

/**
 * Every `code` (and `error.code`) on the way to the innermost message, outermost first, e.g.
 * `['fail_to_fetch_task', 'insufficient_user_quota']`: a relay may wrap the provider's code.
 */
export function upstreamCodes(body: string): string[] {
  const codes: string[] = [];
  collectCodes(parseJson(body), codes, 0);
  return codes;
}

function innermostMessage(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH || !isObject(value)) return undefined;
  const { error, message } = value;
  const fromError = isObject(error) ? innermostMessage(error, depth + 1) : typeof error === 'string' ? innermostString(error, depth) : undefined;
  if (fromError !== undefined) return fromError;
  return typeof message === 'string' ? innermostString(message, depth) : undefined;
}

/** A message string, or the message inside it when it is a JSON object itself. */
function innermostString(text: string, depth: number): string | undefined {
  const parsed = /^\s*\{/.test(text) ? parseJson(text) : undefined;
  // JSON without a message is a raw body, not a message: nothing of it is passed on.
  if (isObject(parsed)) return innermostMessage(parsed, depth + 1);
  return text;
}

function collectCodes(value: unknown, codes: string[], depth: number): void {
  if (depth > MAX_DEPTH || !isObject(value)) return;
  if (typeof value.code === 'string' && value.code) codes.push(value.code);
  const { error, message } = value;
  if (isObject(error)) collectCodes(error, codes, depth + 1);
  else if (typeof error === 'string' && /^\s*\{/.test(error)) collectCodes(parseJson(error), codes, depth + 1);
  if (typeof message === 'string' && /^\s*\{/.test(message)) collectCodes(parseJson(message), codes, depth + 1);
}

const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const IPV4_PATTERN = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;
// Candidates only: a match is an IPv6 address when it has "::" or at least five colons (not a time).
const IPV6_PATTERN = /\[?(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\]?(?::\d{1,5})?/gi;
const REQUEST_ID_PATTERN = /[([]?\b(?:x-)?(?:request|req|trace|log)[ _-]?id\b\s*[:=]?\s*["']?[\w.:-]+["']?[)\]]?/gi;
const BEARER_PATTERN = /\bBearer\s+\S+/gi;
const API_KEY_PATTERN = /\bsk-[A-Za-z0-9_-]{8,}/g;

/**
 * A provider message made safe to show: URLs, IP addresses, request ids and anything that looks
 * like a credential (and each of `secrets`) removed, control characters and runs of spaces
 * collapsed, at most {@link MAX_UPSTREAM_MESSAGE_LENGTH} characters.
 */
export function cleanUpstreamMessage(message: string, secrets: readonly string[] = []): string {
  let text = message;
  for (const secret of secrets) if (secret) text = text.split(secret).join('');
  text = text
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(URL_PATTERN, '')
    .replace(REQUEST_ID_PATTERN, '')
    .replace(BEARER_PATTERN, '')
    .replace(API_KEY_PATTERN, '')
    .replace(IPV4_PATTERN, '')
    .replace(IPV6_PATTERN, (match) => (match.includes('::') || (match.match(/:/g)?.length ?? 0) >= 5 ? '' : match))
    // What the removals leave behind: empty brackets, spaces before punctuation, dangling separators.
    .replace(/\(\s*\)|\[\s*\]/g, '')
    .replace(/\s+([.,;:!?)])/g, '$1')
    .replace(/\s{2,}/g, ' ')
    .replace(/[\s,;:]+$/, '')
    .trim();
  if (text.length > MAX_UPSTREAM_MESSAGE_LENGTH) text = `${text.slice(0, MAX_UPSTREAM_MESSAGE_LENGTH - 1).trimEnd()}…`;
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
