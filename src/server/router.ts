import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { VIDEOS_PATH } from '../archive/links.js';
import type { Logger } from '../logger.js';
import type { DirectOperations } from './direct-operations.js';
import { parseJsonBody, sendJson, sendRateLimited, serveMetrics } from './http.js';
import type { LivePage } from './live-page.js';
import { readBody } from './read-body.js';
import { isServing, type Readiness } from './readiness.js';

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
  /** The client address of a request (see client-address.ts). */
  clientAddress: (req: IncomingMessage) => string;
  /** Open SSE streams per client address; one more gets 429. */
  maxSsePerAddress: number;
  /** `RATE_LIMIT_PER_CREDENTIAL`: each GraphQL request takes one from its key's rate. @default none */
  rateLimit?: { perSecond: number; keyOf(req: IncomingMessage): string; take(key: string): Promise<number | undefined> } | undefined;
  /**
   * Filled with the responses of SSE requests while they stream, for a shutdown that cuts them
   * (a fleet's: without `event: complete`, so that clients reconnect elsewhere). @default not tracked
   */
  eventStreams?: Set<ServerResponse> | undefined;
  /** `/videos/<token>`: archived videos (see videos.ts), when archiving is on. */
  videos?: ((req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>) | undefined;
}

/**
 * What happens to an HTTP request: health and readiness, /metrics, the live page, then GraphQL
 * (the body read once with its limit, then the direct path or yoga). Websocket upgrades are not
 * requests: see websocket.ts.
 */
export function createRouter({ yoga, direct, logger, bodyLimitBytes, readiness, metrics, livePage, clientAddress, maxSsePerAddress, rateLimit, eventStreams, videos }: RouterOptions): RequestListener {
  const streams = new Map<string, number>();

  /** Counts an SSE request against its address for as long as its response is open; false when over the limit. */
  function admitStream(req: IncomingMessage, res: ServerResponse): boolean {
    const address = clientAddress(req);
    const open = streams.get(address) ?? 0;
    if (open >= maxSsePerAddress) return false;
    streams.set(address, open + 1);
    res.once('close', () => {
      const left = (streams.get(address) ?? 1) - 1;
      if (left > 0) streams.set(address, left);
      else streams.delete(address);
    });
    return true;
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, path: string | undefined): Promise<void> {
    // Limits that refuse a request as a whole (429) come after its body, which is bounded in size and time.
    let body: Buffer | undefined | null;
    if (req.method === 'POST') body = await readBody(req, bodyLimitBytes);
    // GET counts too: yoga serves queries and SSE subscriptions over GET (cacheable, APQ).
    if (path === yoga.graphqlEndpoint && (req.method === 'GET' || (req.method === 'POST' && body !== undefined && body !== null))) {
      if (rateLimit) {
        const wait = await rateLimit.take(rateLimit.keyOf(req));
        if (wait !== undefined) return sendRateLimited(res, `Too many operations: at most ${rateLimit.perSecond} per second for this credential.`, wait);
      }
      if (req.headers.accept?.includes('text/event-stream') && !admitStream(req, res)) {
        return sendRateLimited(res, `Too many SSE streams from this address: at most ${maxSsePerAddress}.`, 1000);
      }
    }
    if (req.method === 'POST') {
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
      return sendJson(res, isServing(body) ? 200 : 503, body);
    }
    if (path === '/metrics') return void serveMetrics(req, res, metrics.registry, metrics.token);
    if (livePage && req.method === 'GET' && livePage.serves(path)) return void livePage.serve(res, path!);
    if (eventStreams && req.headers.accept?.includes('text/event-stream')) {
      eventStreams.add(res);
      res.once('close', () => eventStreams.delete(res));
    }
    const handle = videos && path?.startsWith(VIDEOS_PATH) ? videos(req, res, path) : graphql(req, res, path);
    handle.catch((error: unknown) => {
      logger.error({ err: error }, 'A request failed unexpectedly');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  };
}
