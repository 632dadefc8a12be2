import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';
import type { DirectOperations } from './direct-operations.js';
import { parseJsonBody, sendJson, serveMetrics } from './http.js';
import type { LivePage } from './live-page.js';
import { readBody } from './read-body.js';

/** What `/readyz` reports; 503 unless `status` is `ready`. */
export interface Readiness {
  status: string;
  [detail: string]: unknown;
}

export interface RouterOptions {
  /** yoga's own request listener (it serves `graphqlEndpoint` and GraphiQL). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  yoga: RequestListener & { graphqlEndpoint: string };
  /** Serves a JSON POST query without yoga's handler when it can; false hands the request to yoga. Unset: yoga serves every request (`FAST_PATH=false`). */
  direct: DirectOperations | undefined;
  logger: Logger;
  /** Largest request body; larger ones get 413. */
  bodyLimitBytes: number;
  readiness: () => Readiness;
  metrics: { registry: Registry; token: string | undefined };
  /** The live task page, when served. */
  livePage?: LivePage | undefined;
}

/**
 * What happens to an HTTP request: health and readiness, /metrics, the live page, then GraphQL
 * (the body read once with its limit, then the direct path or yoga). Websocket upgrades are not
 * requests: see websocket.ts.
 */
export function createRouter({ yoga, direct, logger, bodyLimitBytes, readiness, metrics, livePage }: RouterOptions): RequestListener {
  async function graphql(req: IncomingMessage, res: ServerResponse, path: string | undefined): Promise<void> {
    if (req.method === 'POST') {
      const body = await readBody(req, bodyLimitBytes);
      if (body === null) return void res.destroy();
      if (body === undefined) {
        res.shouldKeepAlive = false;
        return sendJson(res, 413, { errors: [{ message: `Request body too large: at most ${bodyLimitBytes} bytes.`, extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } }] });
      }
      const parsed = parseJsonBody(req, body);
      if (direct && path === yoga.graphqlEndpoint && (await direct(req, res, parsed))) return;
      // Handing yoga the parsed body skips its per-request body stream (and the AbortController it builds).
      (req as IncomingMessage & { body?: unknown }).body = parsed;
    }
    await yoga(req, res);
  }

  return (req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const body = readiness();
      return sendJson(res, body.status === 'ready' ? 200 : 503, body);
    }
    if (path === '/metrics') return void serveMetrics(req, res, metrics.registry, metrics.token);
    if (livePage && req.method === 'GET' && livePage.serves(path)) return void livePage.serve(res, path!);
    graphql(req, res, path).catch((error: unknown) => {
      logger.error({ err: error }, 'A request failed unexpectedly');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  };
}
