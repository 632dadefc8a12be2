import { context, defaultTextMapGetter, defaultTextMapSetter, diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Logger } from './logger.js';
import type { SpanAttributes, SpanHandle, Tracing } from './tracing.js';

export interface OpenTelemetryOptions {
  /** The OTLP/HTTP traces URL. */
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  serviceName: string;
  logger: Logger;
}

const kinds = { server: SpanKind.SERVER, client: SpanKind.CLIENT } as const;

const propagator = new W3CTraceContextPropagator();
let contextManager: AsyncLocalStorageContextManager | undefined;

/**
 * The OpenTelemetry Node SDK's tracer provider with a batching OTLP/HTTP span exporter, W3C
 * trace-context propagation and an AsyncLocalStorage context manager (so that an upstream call
 * made during an operation is its child). Only this module imports the SDK; tracing.ts loads it
 * when tracing is configured. The provider and propagator are ours, not the API's globals, so
 * several gateways in one process (tests) each export their own spans; the context manager is
 * process-wide by nature and set once. The exporter and the batch processor still honour the
 * standard variables they read themselves (`OTEL_EXPORTER_OTLP_HEADERS`, `..._TIMEOUT`,
 * `..._COMPRESSION`, `OTEL_BSP_*`).
 */
export function startOpenTelemetry({ url, protocol, serviceName, logger }: OpenTelemetryOptions): Tracing {
  // The SDK's own diagnostics go through our logger, not the console.
  diag.setLogger(
    {
      error: (message, ...args) => logger.error({ args }, `opentelemetry: ${message}`),
      warn: (message, ...args) => logger.warn({ args }, `opentelemetry: ${message}`),
      info: (message) => logger.debug(`opentelemetry: ${message}`),
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  const exporter = protocol === 'http/json' ? new JsonExporter({ url }) : new ProtobufExporter({ url });
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), spanProcessors: [new BatchSpanProcessor(exporter)] });
  if (!contextManager) context.setGlobalContextManager((contextManager = new AsyncLocalStorageContextManager().enable()));
  const tracer = provider.getTracer('video-task-gateway');

  const handle = (span: Span): SpanHandle => ({
    setName: (name) => span.updateName(name),
    setAttributes: (attributes) => span.setAttributes(clean(attributes)),
    fail(codes) {
      span.setAttribute('error.codes', [...codes]);
      if (codes[0]) span.setAttribute('error.type', codes[0]);
      span.setStatus({ code: SpanStatusCode.ERROR, message: codes.join(',') });
    },
  });

  return {
    enabled: true,
    span(name, options, fn) {
      const parent = options.root
        ? ROOT_CONTEXT
        : options.traceparent
          ? propagator.extract(ROOT_CONTEXT, { traceparent: options.traceparent }, defaultTextMapGetter)
          : context.active();
      const span = tracer.startSpan(name, { root: options.root, kind: options.kind ? kinds[options.kind] : SpanKind.INTERNAL, attributes: clean(options.attributes ?? {}) }, parent);
      const fail = (error: unknown) => {
        span.recordException(error instanceof Error ? { name: error.name, message: 'unexpected error' } : 'unexpected error');
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        throw error;
      };
      return context.with(trace.setSpan(parent, span), () => {
        let result;
        try {
          result = fn(handle(span));
        } catch (error) {
          return fail(error);
        }
        if (result instanceof Promise) {
          return result.then((value: unknown) => {
            span.end();
            return value;
          }, fail) as typeof result;
        }
        span.end();
        return result;
      });
    },
    bind: (fn) => context.bind(context.active(), fn),
    upstreamHeaders() {
      const carrier: Record<string, string> = {};
      propagator.inject(context.active(), carrier, defaultTextMapSetter);
      return carrier;
    },
    dispose: () => provider.shutdown(),
  };
}

function clean(attributes: SpanAttributes): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out[k] = v;
  return out;
}
