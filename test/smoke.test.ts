import { describe, expect, it } from 'vitest';
import { VideoTaskQuery } from './documents.js';
import { execute, startGateway, startSimulator, taskRequests } from './helpers.js';

describe('gateway smoke', () => {
  it('should answer a videoTask query from the simulator', async () => {
    const simulator = await startSimulator();
    const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'k1' });
    const result = await execute(endpoint, VideoTaskQuery, { id: 'demo-1' });
    expect(result.errors).toBeUndefined();
    expect(result.data?.videoTask).toMatchObject({ id: 'demo-1', status: 'QUEUED', progress: 0 });
    expect(taskRequests(simulator, 'demo-1')).toHaveLength(1);
  });
});
