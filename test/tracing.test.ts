import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGateway } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { createTracing, noTracing } from '../src/tracing.js';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { collect, onDispose, sse, startSimulator, taskRequests, testConfig, wsClient } from './helpers.js';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number; arrayValue?: { values: { stringValue?: string }[] } } }[];
  status?: { code?: number };
}

/** An OTLP/HTTP (JSON) traces receiver on loopback: the spans it was sent, in arrival order. */
async function startReceiver() {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { resourceSpans: { resource: unknown; scopeSpans: { spans: ExportedSpan[] }[] }[] };
      for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onDispose(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, spans };
}

const attribute = (span: ExportedSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue !== undefined ? Number(value.intValue) : value?.arrayValue?.values.map((v) => v.stringValue));
};

/** A gateway with tracing to `receiver`; stopping it flushes the spans. */
async function tracedGateway(simulatorUrl: string, receiverUrl: string) {
  const logger = createLogger('silent');
  const config = testConfig({ upstreamUrl: simulatorUrl, otelExporterOtlpTracesEndpoint: receiverUrl, otelExporterOtlpTracesProtocol: 'http/json', upstreamRetries: 0 });
  const tracing = await createTracing(config, logger);
  const gateway = createGateway({ config, logger, tracing });
  const url = await gateway.start();
  return { url, endpoint: `${url}/graphql`, wsEndpoint: `${url.replace(/^http/, 'ws')}/graphql`, stop: () => gateway.stop() };
}

const clientTrace = '0af7651916cd43dd8448eb211c80319c';
const clientParent = 'b7ad6b7169203331';

describe('tracing', () => {
  it('should be off, with nothing loaded, when no OTLP endpoint is set', async () => {
    const tracing = await createTracing(testConfig({ upstreamUrl: 'http://127.0.0.1:1' }), createLogger('silent'));
    expect(tracing).toBe(noTracing);
  });

  it('should export an operation span that continues the client traceparent, with the upstream call as its child, and propagate the call to the upstream', async () => {
    const simulator = await startSimulator();
    const receiver = await startReceiver();
    const gw = await tracedGateway(simulator.url, receiver.url);
    const response = await fetch(gw.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tenant-secret-token', traceparent: `00-${clientTrace}-${clientParent}-01` },
      body: JSON.stringify({ query: print(VideoTaskQuery), variables: { id: 'traced-1' }, operationName: 'VideoTask' }),
    });
    expect(response.status).toBe(200);
    await gw.stop();

    const operation = receiver.spans.find((s) => s.name === 'query VideoTask');
    expect(operation).toBeDefined();
    expect(operation!.traceId).toBe(clientTrace);
    expect(operation!.parentSpanId).toBe(clientParent);
    expect(attribute(operation!, 'graphql.operation.type')).toBe('query');
    const upstream = receiver.spans.find((s) => s.name === 'GET /v1/video/generations/{task_id}');
    expect(upstream).toBeDefined();
    expect(upstream!.traceId).toBe(clientTrace);
    expect(upstream!.parentSpanId).toBe(operation!.spanId);
    expect(attribute(upstream!, 'url.template')).toBe('/v1/video/generations/{task_id}');
    expect(attribute(upstream!, 'http.response.status_code')).toBe(200);
    expect(attribute(upstream!, 'gateway.upstream.attempt')).toBe(1);
    // The upstream got the upstream span's context.
    const [request] = taskRequests(simulator, 'traced-1');
    expect(request!.traceparent).toBe(`00-${clientTrace}-${upstream!.spanId}-01`);
    // No token in any span.
    expect(JSON.stringify(receiver.spans)).not.toContain('tenant-secret-token');
  });

  it('should mark an operation span failed with the codes the client saw', async () => {
    const simulator = await startSimulator();
    const receiver = await startReceiver();
    const gw = await tracedGateway(simulator.url, receiver.url);
    await fetch(gw.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ videoTask(id: "no-credential") { id } }' }),
    });
    await gw.stop();
    const operation = receiver.spans.find((s) => s.name === 'query');
    expect(operation).toBeDefined();
    expect(attribute(operation!, 'error.codes')).toEqual(['UNAUTHENTICATED']);
    expect(operation!.status?.code).toBe(2);
  });

  it('should trace subscriptions over websockets and SSE, and each poll tick as a root span', async () => {
    const simulator = await startSimulator({ durationMs: 100 });
    const receiver = await startReceiver();
    const gw = await tracedGateway(simulator.url, receiver.url);
    const client = wsClient(gw.wsEndpoint, { connectionParams: { authorization: 'Bearer t' } });
    const ws = collect(client, VideoTaskUpdated, { id: 'traced-ws' });
    const viaSse = sse(gw.endpoint, VideoTaskUpdated, { id: 'traced-sse' }, { authorization: 'Bearer t' });
    await Promise.all([ws.done, viaSse]);
    await client.dispose();
    await gw.stop();
    const subscriptions = receiver.spans.filter((s) => s.name === 'subscription VideoTaskUpdated');
    expect(subscriptions).toHaveLength(2);
    const ticks = receiver.spans.filter((s) => s.name === 'poll tick');
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const tick of ticks) expect(tick.parentSpanId ?? '').toBe('');
    const tickIds = new Set(ticks.map((t) => t.spanId));
    const polls = receiver.spans.filter((s) => s.name.startsWith('GET ') && tickIds.has(s.parentSpanId ?? ''));
    expect(polls.length).toBe(ticks.length);
  });
});
