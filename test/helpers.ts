import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import type { DestinationStream } from 'pino';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import { afterAll } from 'vitest';
import { WebSocket, type ClientOptions as WebSocketOptions } from 'ws';
import { createGateway, type Gateway, type GatewayOptions } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createFleet } from '../src/fleet/index.js';
import { createLogger } from '../src/logger.js';
import { createSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/index.js';
import { loopbackOnlyConnector } from './loopback-connector.js';

/** Things to close after the file's tests, in reverse order of creation. */
const disposables: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  while (disposables.length > 0) await disposables.pop()!();
});
export function onDispose(fn: () => Promise<unknown> | unknown): void {
  disposables.push(fn);
}

/** The simulator on a free loopback port; tasks finish in 300 ms unless told otherwise. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = await createSimulator({ durationMs: 300, ...options });
  onDispose(() => simulator.dispose());
  return simulator;
}

export interface TestGateway {
  url: string;
  /** The GraphQL endpoint, http://… */
  endpoint: string;
  /** The websocket endpoint, ws://… */
  wsEndpoint: string;
  gateway: Gateway;
  config: Config;
  dispose(): Promise<void>;
}

/** The configuration tests run the gateway with: a free loopback port, intervals of a few ms. */
export function testConfig(overrides: Partial<Config> & { upstreamUrl: string }): Config {
  return {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    pollIntervalMs: 10,
    pollJitter: 0,
    pollQueuedFactor: 1,
    ...overrides,
  };
}

/** The real gateway on a free loopback port, with intervals short enough for tests. */
export async function startGateway(
  overrides: Partial<Config> & { upstreamUrl: string },
  logLevel: Config['logLevel'] = 'silent',
  logDestination?: DestinationStream,
  plugins?: GatewayOptions['plugins'],
): Promise<TestGateway> {
  const config = testConfig(overrides);
  const logger = createLogger(logLevel, logDestination);
  // With a redisUrl, one instance of a fleet (the gateway disposes the fleet when it stops).
  const fleet = config.redisUrl
    ? await createFleet({ url: config.redisUrl, prefix: config.fleetPrefix, leaseTtlMs: config.leaseTtlMs, finalTaskTtlMs: config.finalTaskTtlMs, logger, connectTimeoutMs: 5000 })
    : undefined;
  // Video downloads (archiving) never leave loopback in tests, whatever the guard lets through.
  const gateway = createGateway({ config, logger, plugins, fleet, archiveNetwork: { connect: loopbackOnlyConnector() } });
  const url = await gateway.start();
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    await gateway.stop();
  };
  onDispose(dispose);
  return { url, endpoint: `${url}/graphql`, wsEndpoint: `${url.replace(/^http/, 'ws')}/graphql`, gateway, config, dispose };
}

/** POSTs an operation and returns the parsed body (and the HTTP status). */
export async function execute<TResult, TVariables>(
  endpoint: string,
  document: TypedDocumentNode<TResult, TVariables> | string,
  variables?: TVariables,
  headers: Record<string, string> = {},
): Promise<ExecutionResult<TResult> & { status: number }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
  });
  const body = (await response.json()) as ExecutionResult<TResult>;
  return { ...body, status: response.status };
}

/** A graphql-ws client that is closed after the file's tests. */
export function wsClient(endpoint: string, options: Partial<ClientOptions> = {}): Client {
  const client = createClient({ url: endpoint, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...options });
  onDispose(() => client.dispose());
  return client;
}

/** Everything a subscription sent until it completed or errored. */
export function collect<TResult, TVariables extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  onNext?: (result: ExecutionResult<TResult>) => void,
): { results: ExecutionResult<TResult>[]; done: Promise<ExecutionResult<TResult>[]>; unsubscribe: () => void } {
  const results: ExecutionResult<TResult>[] = [];
  let unsubscribe = () => {};
  const done = new Promise<ExecutionResult<TResult>[]>((resolve, reject) => {
    unsubscribe = client.subscribe<TResult>(
      { query: print(document), variables },
      {
        next: (result) => {
          results.push(result as ExecutionResult<TResult>);
          onNext?.(result as ExecutionResult<TResult>);
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => resolve(results),
      },
    );
  });
  return { results, done, unsubscribe };
}

/** Reads an SSE subscription (yoga's `text/event-stream`) until `event: complete` or the stream ends. */
export async function sse<TResult, TVariables>(
  endpoint: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  headers: Record<string, string> = {},
): Promise<ExecutionResult<TResult>[]> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  if (!response.ok || !response.body) throw new Error(`SSE request failed with HTTP ${response.status}`);
  const results: ExecutionResult<TResult>[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === 'complete') return results;
      if (data) results.push(JSON.parse(data) as ExecutionResult<TResult>);
    }
  }
  return results;
}

/** Polls `condition` until it is truthy; fails after `timeoutMs`. For state the tests cannot await directly. */
export async function waitFor<T>(condition: () => T | Promise<T>, { timeoutMs = 5000, intervalMs = 5, message = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Upstream task lookups the simulator received, optionally for one id. */
export function taskRequests(simulator: Simulator, id?: string) {
  return simulator.requests.filter((r) => r.taskId !== undefined && (id === undefined || r.taskId === id));
}

/** The `extensions.code` of each error in a result. */
export function codes(result: { errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }): unknown[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

/** A raw websocket speaking graphql-transport-ws, terminated after the file's tests. */
export function rawSocket(url: string, options: WebSocketOptions = {}): WebSocket {
  const socket = new WebSocket(url, 'graphql-transport-ws', options);
  // Refusals are observed through `unexpected-response` and `close`; terminating a refused socket emits an error.
  socket.on('error', () => {});
  onDispose(() => socket.terminate());
  return socket;
}

export function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

export function nextMessage(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)) as unknown)));
}

