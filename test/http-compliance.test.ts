import { serverAudits } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { startGateway, startSimulator } from './helpers.js';

// The GraphQL-over-HTTP audits of graphql-http, against the gateway as it runs, so that the
// direct path for JSON POSTs answers exactly as yoga would.
describe('GraphQL over HTTP', async () => {
  const simulator = await startSimulator();
  const { endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'k' });
  for (const audit of serverAudits({ url: endpoint })) {
    it(`${audit.id}: ${audit.name}`, async () => {
      const result = await audit.fn();
      if (result.status === 'error') throw new Error(`${result.reason} (${JSON.stringify(await result.response?.text?.().catch(() => undefined))})`);
      expect(['ok', 'warn']).toContain(result.status);
    });
  }
});
