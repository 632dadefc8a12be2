import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Logger } from '../logger.js';
import { publicResult } from '../schema/public-errors.js';
import type { AuthResolver } from './auth.js';
import { requestIdOf } from './use-operation-log.js';

export interface DirectOperationsOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  yoga: YogaServerInstance<any, any>;
  resolveAuth: AuthResolver;
  logger: Logger;
  countErrors: (codes: string[]) => void;
  observeOperation: (seconds: number, failed: boolean) => void;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown>;
}

const paramNames = new Set(['query', 'variables', 'operationName', 'extensions']);

/**
 * The common case, a JSON POST of a query (or a mutation), run through yoga's envelop (`yoga.getEnveloped`: parse
 * and validation caches, graphql-armor, graphql-jit, masking, our plugins) and answered with one
 * `res.end`, without yoga's fetch-API request and response objects, which cost most of the time
 * of a cached query in a profile. Anything else returns false and goes to yoga's full handler:
 * GET, SSE and other media types, CORS requests, odd bodies, and every request that fails before
 * execution (parse, validation, limits), whose answer yoga then shapes. Those never reached the
 * upstream, so handing them over costs CPU only.
 */
export function createDirectOperations({ yoga, resolveAuth, logger, countErrors, observeOperation }: DirectOperationsOptions) {
  /**
   * The parsed operation when it is valid and a query or a mutation. Parse and validate run every time, as in
   * yoga's handler, so that every plugin's hooks see every request (yoga's caches make them cheap).
   */
  function prepare(enveloped: ReturnType<typeof yoga.getEnveloped>, body: Params): DocumentNode | undefined {
    let document: DocumentNode;
    try {
      document = enveloped.parse(body.query);
    } catch (error) {
      codeParseError(error);
      return undefined;
    }
    if (enveloped.validate(enveloped.schema, document).length > 0) return undefined;
    const operation = getOperationAST(document, body.operationName)?.operation;
    if (operation !== 'query' && operation !== 'mutation') return undefined;
    return document;
  }

  return async function handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<boolean> {
    const started = performance.now();
    const mediaType = responseType(req.headers.accept);
    if (!mediaType || req.headers.origin !== undefined || !isJson(req.headers['content-type']) || !isParams(body)) return false;
    // No fetch `Request` here (plugins get none rather than a fake one): yoga's own parse hook,
    // which codes parse errors, runs on requests that reach its handler, as every failing one does.
    const enveloped = yoga.getEnveloped({ req, res, params: body, auth: resolveAuth(req.headers.authorization) });
    const document = prepare(enveloped, body);
    if (!document) return false;
    const result = (await enveloped.execute({
      schema: enveloped.schema,
      document,
      variableValues: body.variables,
      operationName: body.operationName,
      contextValue: await enveloped.contextFactory(),
    })) as ExecutionResult & { stringify?: (result: ExecutionResult) => string };
    // No data: nothing ran (variables refused, a plugin's early result); yoga shapes that answer
    // and runs nothing either, so that a mutation is never executed twice.
    if (!('data' in result)) return false;
    // With errors, yoga's way: plain JSON without its internal extensions; without, jit's serializer.
    const json = result.errors ? JSON.stringify(publicResult(result)) : result.stringify ? result.stringify(result) : JSON.stringify(result);
    const headers: Record<string, string | number> = { 'content-type': mediaType, 'content-length': Buffer.byteLength(json) };
    const clientId = req.headers['x-request-id'];
    if (typeof clientId === 'string') headers['x-request-id'] = requestIdOf(clientId);
    res.writeHead(200, headers);
    res.end(json);
    const codes = result.errors?.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')) ?? [];
    if (codes.length > 0) countErrors(codes);
    const ms = performance.now() - started;
    observeOperation(ms / 1000, codes.length > 0);
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ requestId: headers['x-request-id'] ?? requestIdOf(undefined), operationName: body.operationName ?? undefined, durationMs: Math.round(ms), errors: codes.length > 0 ? codes : undefined }, 'operation');
    }
    return true;
  };
}

/**
 * Codes a parse error as yoga's own parse hook does, which it does only for a request carrying a
 * fetch `Request` (this path hands plugins none): yoga's parse cache keeps the error object, and
 * yoga's handler, which answers this request next, must find it coded.
 */
function codeParseError(error: unknown): void {
  if (!(error instanceof GraphQLError)) return;
  const extensions = error.extensions as Record<string, unknown>;
  extensions.code ||= 'GRAPHQL_PARSE_FAILED';
  const http = (extensions.http ||= {}) as Record<string, unknown>;
  http.spec ||= true;
  http.status ||= 400;
}

/** The media type yoga would answer with, for the Accept values handled here. */
function responseType(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === '*/*' || accept === 'application/json') return 'application/json; charset=utf-8';
  if (accept.startsWith('application/graphql-response+json')) return 'application/graphql-response+json; charset=utf-8';
  return undefined;
}

/** The JSON media types yoga's POST parser takes. */
function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql+json'));
}

function isParams(body: unknown): body is Params {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { query, variables, operationName, extensions } = body as Record<string, unknown>;
  // `documentId` (persisted documents) and anything else yoga's plugins may read go to yoga.
  for (const key of Object.keys(body)) if (!paramNames.has(key)) return false;
  return (
    typeof query === 'string' &&
    (variables == null || (typeof variables === 'object' && !Array.isArray(variables))) &&
    (operationName == null || typeof operationName === 'string') &&
    // Persisted operations (APQ, trusted documents) are resolved by yoga's plugins.
    (extensions === undefined || (typeof extensions === 'object' && extensions !== null && !Array.isArray(extensions) && !('persistedQuery' in extensions)))
  );
}

/** Serves a JSON POST query directly; resolves false when the request must go to yoga's handler. */
export type DirectOperations = ReturnType<typeof createDirectOperations>;
