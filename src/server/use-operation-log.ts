import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.js';

export interface OperationLogOptions {
  logger: Logger;
  /** Told of the codes of the errors each HTTP result carries (subscription events are counted by the hub). */
  countErrors: (codes: string[]) => void;
  /** Told of each HTTP operation's duration in seconds and whether it ended with errors. */
  observeOperation: (seconds: number, failed: boolean) => void;
}

const clientId = /^[\w.:-]{1,64}$/;

/** The request id of an operation: the client's `x-request-id` when it is sane, else a new one. */
export function requestIdOf(header: string | null | undefined): string {
  return header && clientId.test(header) ? header : randomUUID();
}

interface Started {
  readonly at: number;
  readonly header: string | null;
  id?: string | undefined;
  operationName?: string | undefined;
}

/** Made when first needed: most requests log nothing and are not asked for an id. */
const idOf = (start: Started) => (start.id ??= requestIdOf(start.header));

/**
 * One debug line per HTTP operation (request id, operation, duration, error codes), the request id
 * echoed in `x-request-id`, and error counts for metrics. Tokens never reach these lines: only
 * operation names and codes are logged, and the logger redacts the rest.
 */
export function useOperationLog({ logger, countErrors, observeOperation }: OperationLogOptions): Plugin {
  const started = new WeakMap<Request, Started>();
  return {
    onRequest({ request }) {
      started.set(request, { at: performance.now(), header: request.headers.get('x-request-id') });
    },
    onParams({ request, params }) {
      const start = started.get(request);
      if (start) start.operationName = params.operationName ?? undefined;
    },
    onResultProcess({ request, result }) {
      const start = started.get(request);
      if (Symbol.asyncIterator in result) {
        logger.debug({ requestId: start && idOf(start) }, 'subscription started over SSE');
        return;
      }
      const results: ExecutionResult[] = Array.isArray(result) ? result : [result];
      const codes = results.flatMap((r) => (r.errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')));
      if (codes.length > 0) countErrors(codes);
      const ms = start ? performance.now() - start.at : 0;
      observeOperation(ms / 1000, codes.length > 0);
      if (logger.isLevelEnabled('debug')) {
        logger.debug({ requestId: start && idOf(start), operationName: start?.operationName, durationMs: Math.round(ms), errors: codes.length > 0 ? codes : undefined }, 'operation');
      }
    },
    onResponse({ request, response }) {
      // Echoed when the client sent one or a log line used one.
      const start = started.get(request);
      if (start && (start.header || start.id)) response.headers.set('x-request-id', idOf(start));
    },
  };
}
