import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Credential } from '../credential.js';
import { linkExpiresAt } from '../upstream/link-expiry.js';
import type { TaskResult, TaskSource } from '../upstream/task-source.js';
import { isFinal } from '../upstream/video-task.js';

export interface HttpCacheOptions {
  /** The longest `max-age` of an answer about settled tasks, in seconds; 0 caches nothing. @default 60 */
  maxAgeS?: number | undefined;
  /** How long an `archive.url` link served now stays valid at least, in seconds (half `ARCHIVE_URL_TTL_MS`). @default 1800 */
  archiveLinkLifeS?: number | undefined;
  /** Whether answers vary by `Origin` too (CORS is on). @default false */
  varyOrigin?: boolean | undefined;
  /** The clock, in ms since the epoch. @default Date.now */
  now?: (() => number) | undefined;
}

/** What a GET operation read: every task lookup, and whose credential made them. */
interface Reads {
  fingerprint: string | undefined;
  results: TaskResult[];
}

/**
 * Browser caching of GET answers, correct per credential. Every JSON answer to a GET is
 * `private` (never kept by a shared cache) and varies by `Authorization` and `Accept`. An answer
 * without errors that read only settled tasks (SUCCESS or FAILURE: they never change) may be
 * reused for `maxAgeS`, never longer than the remaining life of a signed video link in it, and
 * carries an ETag made from the credential fingerprint and the content (304 on If-None-Match);
 * anything else is `no-cache`. A selected `archive` counts too: a `PENDING` one is not settled
 * (no-cache), and an archive link bounds the age like a signed video link. POST answers are left
 * alone: browsers do not reuse them.
 */
export function createHttpCache({ maxAgeS = 60, archiveLinkLifeS = 1800, varyOrigin = false, now = Date.now }: HttpCacheOptions = {}) {
  const reads = new WeakMap<Request, Reads>();
  const vary = ['Authorization', 'Accept', ...(varyOrigin ? ['Origin'] : [])];

  /** The task source a GET operation reads through, so that its answer can be judged. */
  function track(request: Request | undefined, credential: Credential | undefined, tasks: TaskSource): TaskSource {
    if (request?.method !== 'GET') return tasks;
    const seen: Reads = { fingerprint: credential?.fingerprint, results: [] };
    reads.set(request, seen);
    return {
      get: async (...args) => {
        const result = await tasks.get(...args);
        seen.results.push(result);
        return result;
      },
      seed: (credential, task) => tasks.seed(credential, task),
      get inFlight() {
        return tasks.inFlight;
      },
    };
  }

  /** Seconds the answer may be reused, 0 when it must be revalidated. */
  function freshFor(seen: Reads | undefined): number {
    if (!seen?.fingerprint || seen.results.length === 0 || maxAgeS <= 0) return 0;
    let seconds = maxAgeS;
    for (const result of seen.results) {
      if (!result.ok || !isFinal(result.task.status)) return 0;
      const expiresAt = result.task.videoUrl ? linkExpiresAt(result.task.videoUrl) : undefined;
      if (expiresAt !== undefined) seconds = Math.min(seconds, Math.floor((expiresAt - now()) / 1000));
    }
    return Math.max(seconds, 0);
  }

  const plugin: Plugin = {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      if (request.method !== 'GET' || !isJson(response.headers.get('content-type'))) return;
      response.headers.set('vary', mergeVary(response.headers.get('vary'), vary));
      const seen = reads.get(request);
      const seconds = response.status === 200 ? freshFor(seen) : 0;
      if (seconds === 0) return void response.headers.set('cache-control', 'private, no-cache');
      const body = await response.text();
      const archives = archivesIn(body);
      if (archives === undefined || archives.pending) {
        response.headers.set('cache-control', 'private, no-cache');
        return setResponse(new fetchAPI.Response(body, { status: response.status, headers: response.headers }));
      }
      const maxAge = archives.links ? Math.min(seconds, archiveLinkLifeS) : seconds;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('cache-control', `private, max-age=${maxAge}`);
      headers.set('etag', etagOf(seen!.fingerprint!, headers.get('content-type') ?? '', body));
      if (matches(request.headers.get('if-none-match'), headers.get('etag')!)) {
        headers.delete('content-type');
        headers.delete('content-length');
        return setResponse(new fetchAPI.Response(null, { status: 304, headers }));
      }
      setResponse(new fetchAPI.Response(body, { status: 200, headers }));
    },
  };

  return { track, plugin };
}

export type HttpCache = ReturnType<typeof createHttpCache>;

function isJson(contentType: string | null): boolean {
  return contentType !== null && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json'));
}

/**
 * What the answer's selected archives say: whether one is still `PENDING`, and whether one carries
 * a link; undefined when the answer has errors or is not JSON (never cached).
 */
function archivesIn(body: string): { pending: boolean; links: boolean } | undefined {
  let parsed: { errors?: unknown; data?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return undefined;
  }
  if (parsed.errors !== undefined) return undefined;
  const found = { pending: false, links: false };
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return value.forEach((v) => visit(v, depth + 1));
    for (const [key, v] of Object.entries(value)) {
      if (key === 'archive' && typeof v === 'object' && v !== null) {
        const archive = v as { status?: unknown; url?: unknown };
        if (archive.status === 'PENDING') found.pending = true;
        if (typeof archive.url === 'string') found.links = true;
        // An archive selected without its status may be pending: judge by what was selected.
        if (archive.status === undefined && archive.url === undefined) found.pending = true;
      } else visit(v, depth + 1);
    }
  };
  visit(parsed.data, 0);
  return found;
}

/** Differs per credential (its fingerprint, never the token) and per content and media type. */
function etagOf(fingerprint: string, contentType: string, body: string): string {
  return `"${createHash('sha256').update(fingerprint).update('\n').update(contentType).update('\n').update(body).digest('base64url').slice(0, 32)}"`;
}

function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

function mergeVary(existing: string | null, names: string[]): string {
  const all = [...(existing ? existing.split(',').map((v) => v.trim()).filter(Boolean) : []), ...names];
  const seen = new Set<string>();
  return all.filter((name) => !seen.has(name.toLowerCase()) && seen.add(name.toLowerCase())).join(', ');
}
