import { createHash } from 'node:crypto';
import { print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../src/simulator/index.js';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { collect, startGateway, startSimulator, wsClient, type TestGateway } from './helpers.js';

// The direct JSON-POST path and the websocket frame path (FAST_PATH) against yoga's and graphql-ws's own paths.

const auth = { authorization: 'Bearer t1' };

/** Records, per operation, which path built its context: yoga's handler hands plugins its fetch `Request`. */
function usePathProbe(paths: string[]): Plugin {
  return {
    onContextBuilding({ context }) {
      paths.push('request' in context && context.request ? 'yoga' : 'direct');
    },
  };
}

async function post(gw: TestGateway, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(gw.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

function pin(simulator: Simulator): void {
  simulator.setTask('fp-1', { status: 'in_progress', progress: '40%', submit_time: 1_700_000_000, start_time: 1_700_000_010, finish_time: 0 });
  simulator.setTask('fp-done', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/fp.mp4', submit_time: 1_700_000_000, start_time: 1_700_000_010, finish_time: 1_700_000_100 });
}

describe('FAST_PATH', () => {
  it('should answer queries and websocket subscriptions the same with FAST_PATH=false', async () => {
    const simulator = await startSimulator();
    pin(simulator);
    const on = await startGateway({ upstreamUrl: simulator.url });
    const off = await startGateway({ upstreamUrl: simulator.url, fastPath: false });
    const query = { query: print(VideoTaskQuery), variables: { id: 'fp-1' } };
    expect(await post(off, query)).toEqual(await post(on, query));
    const viaOn = await collect(wsClient(on.wsEndpoint, { connectionParams: auth }), VideoTaskUpdated, { id: 'fp-done' }).done;
    const viaOff = await collect(wsClient(off.wsEndpoint, { connectionParams: auth }), VideoTaskUpdated, { id: 'fp-done' }).done;
    expect(viaOff).toEqual(viaOn);
    expect(viaOn.at(-1)?.data?.videoTaskUpdated.status).toBe('SUCCESS');
  });

  it('should send JSON POSTs through yoga when FAST_PATH=false', async () => {
    const simulator = await startSimulator();
    pin(simulator);
    const paths: string[] = [];
    const on = await startGateway({ upstreamUrl: simulator.url }, 'silent', undefined, [usePathProbe(paths)]);
    await post(on, { query: print(VideoTaskQuery), variables: { id: 'fp-1' } });
    const off = await startGateway({ upstreamUrl: simulator.url, fastPath: false }, 'silent', undefined, [usePathProbe(paths)]);
    await post(off, { query: print(VideoTaskQuery), variables: { id: 'fp-1' } });
    expect(paths).toEqual(['direct', 'yoga']);
  });

  it('should hand requests carrying extensions.persistedQuery or documentId to yoga', async () => {
    const simulator = await startSimulator();
    pin(simulator);
    const paths: string[] = [];
    const gw = await startGateway({ upstreamUrl: simulator.url }, 'silent', undefined, [usePathProbe(paths)]);
    const query = print(VideoTaskQuery);
    await post(gw, { query, variables: { id: 'fp-1' } });
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    await post(gw, { query, variables: { id: 'fp-1' }, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    await post(gw, { variables: { id: 'fp-1' }, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    await post(gw, { query, variables: { id: 'fp-1' }, documentId: sha256Hash });
    // yoga refuses the documentId parameter (no trusted documents configured) before building a context.
    expect(paths).toEqual(['direct', 'yoga', 'yoga']);
  });
});
