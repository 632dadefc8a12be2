import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, startSimulator, type TestGateway } from '../helpers.js';

// Screenshots are kept as artifacts of the run.
const artifacts = new URL('../../test-results/', import.meta.url);
mkdirSync(artifacts, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: new URL(`${name}.png`, artifacts).pathname, fullPage: true });

let browser: Browser;
let gateway: TestGateway;
let simulatorUrl: string;

beforeAll(async () => {
  const simulator = await startSimulator({ durationMs: 4000 });
  simulatorUrl = simulator.url;
  gateway = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'demo-key', livePage: true, pollIntervalMs: 200 });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('in a real browser', () => {
  it('should run a query in GraphiQL, served with no internet access', async () => {
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(gateway.url) && !/^(data|blob):/.test(request.url())) external.push(request.url());
    });
    const query = '{ videoTask(id: "e2e-graphiql") { id status progress } }';
    await page.goto(`${gateway.endpoint}?query=${encodeURIComponent(query)}`);
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.innerText(), { timeout: 20_000 }).toContain('e2e-graphiql');
    const text = await response.innerText();
    expect(text).toMatch(/"status":\s*"(SUBMITTED|QUEUED|IN_PROGRESS)"/);
    await shot(page, 'graphiql-query');
    expect(external).toEqual([]);
    await page.close();
  });

  it('should stream a subscription in GraphiQL until the task completes', async () => {
    const page = await browser.newPage();
    const query = 'subscription { videoTaskUpdated(id: "e2e-graphiql-sub") { status progress } }';
    await page.goto(`${gateway.endpoint}?query=${encodeURIComponent(query)}`);
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.innerText(), { timeout: 20_000 }).toMatch(/"status":\s*"IN_PROGRESS"/);
    await shot(page, 'graphiql-subscription-streaming');
    await expect.poll(() => response.innerText(), { timeout: 30_000 }).toMatch(/"status":\s*"SUCCESS"/);
    await shot(page, 'graphiql-subscription-done');
    await page.close();
  });

  it('should show the example query and the header hint when GraphiQL opens', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.endpoint);
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 20_000 }).toContain('videoTaskUpdated');
    // The schema loaded (GraphiQL's own introspection query passed the depth limit): the docs list the root types.
    await page.locator('[aria-label="Show Documentation Explorer"]').click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer').innerText(), { timeout: 20_000 }).toContain('Subscription');
    expect(await page.locator('.graphiql-response').innerText()).not.toContain('errors');
    await shot(page, 'graphiql-default');
    await page.close();
  });

  it('should watch a demo task advance on the live page and show the video URL', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url);
    await page.locator('#task-id').fill('e2e-live-1');
    await page.locator('#watch-button').click();
    await expect.poll(() => page.locator('body').getAttribute('data-status'), { timeout: 20_000 }).toBe('IN_PROGRESS');
    const midway = Number(await page.locator('#progress').getAttribute('value'));
    await shot(page, 'live-page-in-progress');
    await expect.poll(() => page.locator('body').getAttribute('data-complete'), { timeout: 30_000 }).toBe('true');
    expect(await page.locator('body').getAttribute('data-status')).toBe('SUCCESS');
    expect(Number(await page.locator('#progress').evaluate((el: HTMLProgressElement) => el.value))).toBe(100);
    expect(midway).toBeLessThan(100);
    expect(await page.locator('#video-url').innerText()).toBe(`${simulatorUrl}/samples/e2e-live-1.mp4`);
    await shot(page, 'live-page-success');
    await page.close();
  });

  it('should keep the live page working when only trusted documents run', async () => {
    const manifest = fileURLToPath(new URL('../../examples/gql/persisted-documents.json', import.meta.url));
    const trusted = await startGateway({ upstreamUrl: simulatorUrl, upstreamApiKey: 'demo-key', livePage: true, pollIntervalMs: 200, trustedDocuments: manifest, graphiql: false });
    const page = await browser.newPage();
    await page.goto(trusted.url);
    await page.locator('#task-id').fill('e2e-trusted-1');
    await page.locator('#watch-button').click();
    await expect.poll(() => page.locator('body').getAttribute('data-complete'), { timeout: 30_000 }).toBe('true');
    expect(await page.locator('body').getAttribute('data-status')).toBe('SUCCESS');
    expect(await page.locator('#problem').isHidden()).toBe(true);
    await page.close();
  });

  it('should show the reason when a task fails on the live page', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url);
    await page.locator('#task-id').fill('e2e-fail-1');
    await page.locator('#watch-button').click();
    await expect.poll(() => page.locator('body').getAttribute('data-complete'), { timeout: 30_000 }).toBe('true');
    expect(await page.locator('body').getAttribute('data-status')).toBe('FAILURE');
    expect(await page.locator('#task-error').innerText()).toContain('content filter');
    await shot(page, 'live-page-failure');
    await page.close();
  });
});
