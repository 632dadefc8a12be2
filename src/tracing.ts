import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** Attributes of a span: never a token, a raw task id in a route, or a client's input. */
export type SpanAttributes = Record<string, string | number | boolean | string[] | undefined>;

/** What code inside a span may tell it. */
export interface SpanHandle {
  setName(name: string): void;
  setAttributes(attributes: SpanAttributes): void;
  /** Marks the span failed, with the error codes a client saw (or the failure's code). */
  fail(codes: readonly string[]): void;
}

export interface SpanOptions {
  /** A root span, linked to nothing (poll ticks). @default false */
  root?: boolean | undefined;
  /** A W3C `traceparent` the client sent: the span continues that trace. @default the active span */
  traceparent?: string | undefined;
  /** `client` for calls to the upstream, `server` for operations. @default internal */
  kind?: 'server' | 'client' | undefined;
  attributes?: SpanAttributes | undefined;
}

/**
 * Spans for operations, upstream calls and poll ticks. Off (`noTracing`), nothing is wrapped and
 * no OpenTelemetry module is loaded: the parts check `enabled` once, when they are built.
 */
export interface Tracing {
  readonly enabled: boolean;
  /** Runs `fn` in a new active span, ended when `fn` (or the promise it returns) settles. */
  span<T>(name: string, options: SpanOptions, fn: (span: SpanHandle) => T): T;
  /** `fn` bound to the active span, for work that a queue runs later on someone else's stack. */
  bind<F extends (...args: never[]) => unknown>(fn: F): F;
  /** Headers that carry the active span to the upstream (`traceparent`). */
  upstreamHeaders(): Record<string, string>;
  /** Flushes and stops the exporter. */
  dispose(): Promise<void>;
}

const noSpan: SpanHandle = { setName() {}, setAttributes() {}, fail() {} };

export const noTracing: Tracing = {
  enabled: false,
  span: (_name, _options, fn) => fn(noSpan),
  bind: (fn) => fn,
  upstreamHeaders: () => ({}),
  dispose: async () => {},
};

/**
 * Tracing as configured: on when an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), with the SDK imported only then.
 */
export async function createTracing(config: Config, logger: Logger): Promise<Tracing> {
  const url = config.otelExporterOtlpTracesEndpoint ?? (config.otelExporterOtlpEndpoint ? `${config.otelExporterOtlpEndpoint}/v1/traces` : undefined);
  if (!url) return noTracing;
  const { startOpenTelemetry } = await import('./tracing-otel.js');
  const tracing = startOpenTelemetry({ url, protocol: config.otelExporterOtlpTracesProtocol, serviceName: config.otelServiceName, logger });
  logger.info({ url, protocol: config.otelExporterOtlpTracesProtocol }, 'Tracing on: spans go over OTLP/HTTP');
  return tracing;
}
