import { request, type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../src/simulator/index.js';
import { closeOf, rawSocket, startGateway, startSimulator, waitFor } from './helpers.js';

// A client that stops reading must not make the gateway buffer without bound (MAX_BUFFERED_BYTES).

/** A selection of about 15 × 20 KB per event: a few events fill any socket buffer. */
const bigSelection = `subscription ($id: ID!) { videoTaskUpdated(id: $id) { progress ${Array.from({ length: 14 }, (_, i) => `a${i}: action`).join(' ')} } }`;
const bigAction = 'x'.repeat(20_000);

/** Moves the task's progress every few ms, so that every poll is a new event; returns the stop function. */
function keepChanging(simulator: Simulator, id: string): () => void {
  let progress = 1;
  simulator.setTask(id, { status: 'in_progress', progress: '1%', action: bigAction });
  const timer = setInterval(() => {
    progress = (progress % 98) + 1;
    simulator.setTask(id, { status: 'in_progress', progress: `${progress}%`, action: bigAction });
  }, 15);
  return () => clearInterval(timer);
}

describe('slow consumers', () => {
  it('should close a websocket that stops reading with 1013 once MAX_BUFFERED_BYTES are waiting, and end its subscriptions', async () => {
    const simulator = await startSimulator();
    const { wsEndpoint, gateway } = await startGateway({ upstreamUrl: simulator.url, maxBufferedBytes: 64 * 1024 });
    const stop = keepChanging(simulator, 'slow-ws');
    try {
      const socket = rawSocket(wsEndpoint);
      const messages: { type: string }[] = [];
      socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string }));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer t1' } }));
      await waitFor(() => messages.some((m) => m.type === 'connection_ack'), { message: 'connection_ack' });
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: bigSelection, variables: { id: 'slow-ws' } } }));
      await waitFor(() => messages.some((m) => m.type === 'next'), { message: 'the first event' });
      const closed = closeOf(socket);
      // Stops reading: what the gateway sends piles up in the socket buffers, then in its own.
      socket.pause();
      await waitFor(() => gateway.stats.subscribers === 0, { timeoutMs: 20_000, message: 'the slow consumer to be cut off' });
      expect(gateway.stats.pollLoops).toBe(0);
      socket.resume();
      expect((await closed).code).toBe(1013);
    } finally {
      stop();
    }
  });

  it('should end an SSE stream whose client stops reading once MAX_BUFFERED_BYTES are waiting', async () => {
    const simulator = await startSimulator();
    const { endpoint, gateway } = await startGateway({ upstreamUrl: simulator.url, maxBufferedBytes: 64 * 1024 });
    const stop = keepChanging(simulator, 'slow-sse');
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer t1' } });
        req.on('response', resolve).on('error', reject);
        req.end(JSON.stringify({ query: bigSelection, variables: { id: 'slow-sse' } }));
      });
      expect(response.statusCode).toBe(200);
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      await waitFor(() => text.includes('event: next'), { message: 'the first event' });
      response.pause();
      await waitFor(() => gateway.stats.subscribers === 0, { timeoutMs: 20_000, message: 'the slow consumer to be cut off' });
      expect(gateway.stats.pollLoops).toBe(0);
      const ended = new Promise((resolve) => response.once('end', resolve));
      response.resume();
      await ended;
      expect(text.trimEnd().endsWith('event: complete\ndata:')).toBe(true);
    } finally {
      stop();
    }
  });
});
