import type { IncomingMessage } from 'node:http';
import { getOperationAST, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SpanHandle, Tracing } from '../tracing.js';

/**
 * One span per GraphQL operation, on every transport: the HTTP fast path and yoga execute through
 * envelop, websocket queries too; subscriptions over SSE go through envelop's subscribe and over
 * websockets through {@link traceSubscribe}. The span is active while the operation executes, so
 * the upstream calls it causes are its children; a subscription's span covers its start. Named
 * `<type> <name>` (`query TaskPage`), with the error codes the client saw.
 *
 * Our own plugin rather than @envelop/opentelemetry 9: that one depends on the 1.x SDK (the 0.223
 * line we use is 2.x) and does not make its span active around execution.
 */
export function useTracing(tracing: Tracing): Plugin {
  const spans = new WeakMap<object, SpanHandle>();
  const wrap = (phase: 'execute' | 'subscribe') => ({ context }: { context: Record<string, unknown> }, wrapped: () => unknown) =>
    tracing.span(`graphql.${phase}`, { kind: 'server', traceparent: traceparentOf(context) }, (span) => {
      spans.set(context, span);
      return wrapped();
    });
  const done = (context: object) => ({ result }: { result: unknown }) => {
    const errors = (result as { errors?: readonly { extensions?: Record<string, unknown> }[] } | undefined)?.errors;
    if (errors?.length) spans.get(context)?.fail(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')));
  };
  return {
    instrumentation: { execute: wrap('execute'), subscribe: wrap('subscribe') } as unknown as Plugin['instrumentation'],
    onExecute({ args }) {
      const context = args.contextValue as object;
      name(spans.get(context), args);
      return { onExecuteDone: done(context) };
    },
    onSubscribe({ args }) {
      const context = args.contextValue as object;
      name(spans.get(context), args);
      return { onSubscribeResult: done(context) };
    },
  };
}

/** A websocket subscription's start (it bypasses envelop's subscribe), in a span of its own. */
export function traceSubscribe<R>(tracing: Tracing, subscribe: (args: ExecutionArgs) => R): (args: ExecutionArgs) => R {
  return (args) =>
    tracing.span('graphql.subscribe', { kind: 'server', traceparent: traceparentOf(args.contextValue as Record<string, unknown>) }, (span) => {
      name(span, args);
      return subscribe(args);
    });
}

function name(span: SpanHandle | undefined, args: { document: DocumentNode; operationName?: string | null | undefined }): void {
  if (!span) return;
  const operation = getOperationAST(args.document, args.operationName);
  const type = operation?.operation ?? 'unknown';
  const operationName = operation?.name?.value;
  span.setName(operationName ? `${type} ${operationName}` : type);
  span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': operationName });
}

/** The `traceparent` a client sent: an HTTP header (yoga, fast path), or the websocket's. */
function traceparentOf(context: Record<string, unknown> | undefined): string | undefined {
  if (!context) return undefined;
  const request = context.request as { headers?: { get?(name: string): string | null } } | undefined;
  const fromRequest = request?.headers?.get?.('traceparent');
  if (fromRequest) return fromRequest;
  const header = (context.req as IncomingMessage | undefined)?.headers?.traceparent;
  if (typeof header === 'string') return header;
  return typeof context.traceparent === 'string' ? context.traceparent : undefined;
}
