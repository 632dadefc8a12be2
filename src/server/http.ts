import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { parseBearer } from '../credential.js';
import { ErrorCode, retryAfterSeconds } from '../errors.js';

// Small pieces of the HTTP server that are not GraphQL: JSON answers, /metrics, request bodies.

/** /metrics, behind `Authorization: Bearer <token>` when a token is configured. */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, registry: Registry, token: string | undefined): Promise<void> {
  if (token && !sameSecret(parseBearer(req.headers.authorization) ?? '', token)) {
    res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' });
    return void res.end('Unauthorized\n');
  }
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType });
  res.end(body);
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The parsed JSON for a JSON request, else the raw text, which yoga parses (or rejects) itself. */
export function parseJsonBody(req: IncomingMessage, body: Buffer): unknown {
  const text = body.toString('utf8');
  if (!req.headers['content-type']?.includes('json')) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    // Yoga needs a non-empty object to use a parsed body; anything else goes as text.
    return typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length > 0 ? parsed : text;
  } catch {
    return text;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** A request refused as a whole by one of the gateway's limits: 429, `Retry-After` and a RATE_LIMITED error. */
export function sendRateLimited(res: ServerResponse, message: string, retryAfterMs: number): void {
  const retryAfter = retryAfterSeconds(retryAfterMs);
  const json = JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.RateLimited, retryAfter } }] });
  res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), 'retry-after': String(retryAfter) });
  res.end(json);
}
