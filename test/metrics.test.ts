import { describe, expect, it } from 'vitest';
import { VideoTaskQuery, VideoTaskUpdated } from './documents.js';
import { collect, execute, sse, startGateway, startSimulator, waitFor, wsClient } from './helpers.js';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const params = (token: string) => ({ connectionParams: { authorization: `Bearer ${token}` } });

/** The text /metrics serves (asserting a 200). */
async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${url}/metrics`, { headers });
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of one series, e.g. `sample(text, 'upstream_requests_total{outcome="ok"}')`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('should serve Prometheus text', async () => {
    const simulator = await startSimulator();
    const { url } = await startGateway({ upstreamUrl: simulator.url });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE upstream_requests_total counter');
    expect(text).toContain('# TYPE upstream_request_duration_seconds histogram');
  });

  it('should count an upstream request by outcome and time it', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('m-ok', { status: 'in_progress', progress: '10%' });
    await execute(endpoint, VideoTaskQuery, { id: 'm-ok' }, auth('t1'));
    const text = await scrape(url);
    expect(sample(text, 'upstream_requests_total{outcome="ok"}')).toBe(1);
    expect(sample(text, 'upstream_request_duration_seconds_bucket{le="+Inf",outcome="ok"}')).toBe(1);
    expect(sample(text, 'upstream_request_duration_seconds_count{outcome="ok"}')).toBe(1);
  });

  it('should count a retry', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url });
    expect(sample(await scrape(url), 'upstream_retries_total')).toBe(0);
    simulator.injectFault({ type: 'status', status: 503 }, 1);
    await execute(endpoint, VideoTaskQuery, { id: 'm-retry' }, auth('t1'));
    const text = await scrape(url);
    expect(sample(text, 'upstream_retries_total')).toBe(1);
    expect(sample(text, 'upstream_requests_total{outcome="server_error"}')).toBe(1);
    expect(sample(text, 'upstream_requests_total{outcome="ok"}')).toBe(1);
  });

  it('should show the breaker state: 0 closed, 2 open', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 0, breakerThreshold: 1, breakerCooldownMs: 60_000 });
    expect(sample(await scrape(url), 'upstream_breaker_state')).toBe(0);
    simulator.injectFault({ type: 'status', status: 500 }, 1);
    await execute(endpoint, VideoTaskQuery, { id: 'm-open' }, auth('t1'));
    expect(sample(await scrape(url), 'upstream_breaker_state')).toBe(2);
  });

  it('should count a cache hit when a finished task is asked for again', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('m-done', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/m.mp4' });
    await execute(endpoint, VideoTaskQuery, { id: 'm-done' }, auth('t1'));
    // A labelled series appears with its first increment.
    expect(sample(await scrape(url), 'task_cache_lookups_total{result="hit"}')).toBeUndefined();
    await execute(endpoint, VideoTaskQuery, { id: 'm-done' }, auth('t1'));
    const text = await scrape(url);
    expect(sample(text, 'task_cache_lookups_total{result="hit"}')).toBe(1);
    expect(sample(text, 'task_cache_lookups_total{result="miss"}')).toBe(1);
  });

  it('should show the poll loop, subscription and websocket connection while a subscription is open', async () => {
    const simulator = await startSimulator();
    const { url, wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.setTask('m-live', { status: 'in_progress', progress: '10%' });
    const sub = collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'm-live' });
    await waitFor(() => sub.results.length === 1, { message: 'the first event' });
    const text = await scrape(url);
    expect(sample(text, 'poll_loops_active')).toBe(1);
    expect(sample(text, 'subscriptions_active')).toBe(1);
    expect(sample(text, 'subscription_groups_active')).toBe(1);
    expect(sample(text, 'websocket_connections_active')).toBe(1);
    sub.unsubscribe();
    await waitFor(async () => sample(await scrape(url), 'poll_loops_active') === 0, { message: 'the loop to stop' });
    expect(sample(await scrape(url), 'subscriptions_active')).toBe(0);
  });

  it('should count BAD_USER_INPUT after an invalid id over HTTP', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url });
    await execute(endpoint, VideoTaskQuery, { id: '../etc' }, auth('t1'));
    expect(sample(await scrape(url), 'graphql_errors_total{code="BAD_USER_INPUT"}')).toBe(1);
  });

  it('should count TASK_NOT_FOUND once after a subscription to an unknown task', async () => {
    const simulator = await startSimulator();
    const { url, wsEndpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.addUnknown('m-ghost');
    await collect(wsClient(wsEndpoint, params('t1')), VideoTaskUpdated, { id: 'm-ghost' }).done;
    expect(sample(await scrape(url), 'graphql_errors_total{code="TASK_NOT_FOUND"}')).toBe(1);
  });

  it('should count TASK_NOT_FOUND once after an SSE subscription to an unknown task', async () => {
    const simulator = await startSimulator();
    const { url, endpoint } = await startGateway({ upstreamUrl: simulator.url });
    simulator.addUnknown('m-ghost-sse');
    await sse(endpoint, VideoTaskUpdated, { id: 'm-ghost-sse' }, auth('t1'));
    expect(sample(await scrape(url), 'graphql_errors_total{code="TASK_NOT_FOUND"}')).toBe(1);
  });

  it('should want the bearer METRICS_TOKEN when one is set', async () => {
    const simulator = await startSimulator();
    const { url } = await startGateway({ upstreamUrl: simulator.url, metricsToken: 'm-secret' });
    const anonymous = await fetch(`${url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(await anonymous.text()).not.toContain('upstream_requests_total');
    expect((await fetch(`${url}/metrics`, { headers: auth('m-wrong') })).status).toBe(401);
    expect(await scrape(url, auth('m-secret'))).toContain('upstream_requests_total');
  });

  it('should never show a credential', async () => {
    const simulator = await startSimulator();
    const { url, endpoint, wsEndpoint } = await startGateway({ upstreamUrl: simulator.url, upstreamRetries: 1 });
    const token = 'tok-SECRET-123';
    const refused = 'tok-SECRET-456';
    simulator.refuseToken(refused);
    simulator.setTask('m-s1', { status: 'success', progress: '100%', fail_reason: 'https://cdn.example.com/s.mp4' });
    simulator.addUnknown('m-s2');
    await execute(endpoint, VideoTaskQuery, { id: 'm-s1' }, auth(token));
    await execute(endpoint, VideoTaskQuery, { id: 'm-s1' }, auth(token));
    await execute(endpoint, VideoTaskQuery, { id: 'm-s1' }, auth(refused));
    await execute(endpoint, VideoTaskQuery, { id: 'bad id' }, auth(token));
    simulator.injectFault({ type: 'status', status: 503 }, 1);
    await execute(endpoint, VideoTaskQuery, { id: 'm-s3' }, auth(token));
    await collect(wsClient(wsEndpoint, params(token)), VideoTaskUpdated, { id: 'm-s2' }).done;
    await sse(endpoint, VideoTaskUpdated, { id: 'm-s1' }, auth(token));
    const text = await scrape(url);
    expect(sample(text, 'upstream_requests_total{outcome="unauthorized"}')).toBe(1);
    expect(text).not.toContain('SECRET');
  });
});
