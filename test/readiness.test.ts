import { describe, expect, it } from 'vitest';
import { isServing, readinessOf } from '../src/server/readiness.js';

describe('readiness', () => {
  it('should be unready (503) only while the instance starts or shuts down', () => {
    expect(isServing(readinessOf('starting', 'ok', 'closed'))).toBe(false);
    expect(isServing(readinessOf('shutting down', 'ok', 'closed'))).toBe(false);
    expect(readinessOf('stopped', 'off', 'closed').status).toBe('shutting down');
    expect(isServing(readinessOf('ready', 'off', 'open'))).toBe(true);
    expect(isServing(readinessOf('ready', 'down', 'open'))).toBe(true);
  });

  it('should say degraded while Redis is down in fleet mode, and report the circuit as it is', () => {
    expect(readinessOf('ready', 'down', 'half-open')).toEqual({ status: 'degraded', redis: 'down', upstreamCircuit: 'half-open' });
    expect(readinessOf('ready', 'ok', 'closed')).toEqual({ status: 'ready', redis: 'ok', upstreamCircuit: 'closed' });
    expect(readinessOf('ready', 'off', 'open')).toEqual({ status: 'ready', redis: 'off', upstreamCircuit: 'open' });
  });
});
