import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  gateway = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'demo-key', allowDefaultKeyCreate: true, livePage: true, pollIntervalMs: 200 });
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
    // The editor renders only the lines in view: the mutation shows once scrolled to the end.
    await page.locator('.graphiql-query-editor').click();
    await page.keyboard.press('Control+End');
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 10_000 }).toContain('createVideoTask');
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

  it('should play the archived copy on the live page, seekable, and say so', async () => {
    const simulator = await startSimulator({ durationMs: 500 });
    const archiving = await startGateway({
      upstreamUrl: simulator.url,
      upstreamApiKey: 'demo-key',
      livePage: true,
      archive: 'local',
      archiveDir: mkdtempSync(join(tmpdir(), 'e2e-archive-')),
      archiveAllowedHosts: [new URL(simulator.url).host],
      fingerprintSecret: 'e2e-secret',
    });
    const page = await browser.newPage();
    await page.goto(archiving.url);
    await page.locator('#task-id').fill('e2e-archive-1');
    await page.locator('#watch-button').click();
    await expect.poll(() => page.locator('body').getAttribute('data-complete'), { timeout: 30_000 }).toBe('true');
    expect(await page.locator('#archive-note').innerText()).toBe("Playing the gateway's archived copy.");
    const video = page.locator('video');
    expect(await video.getAttribute('src')).toMatch(new RegExp(`^${archiving.url}/videos/`));
    // The browser loads the 4-second fixture and seeks in it (Range requests to /videos/…).
    await expect.poll(() => video.evaluate((el: HTMLVideoElement) => el.readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(await video.evaluate((el: HTMLVideoElement) => Math.round(el.duration))).toBe(4);
    await video.evaluate((el: HTMLVideoElement) => new Promise((resolve) => {
      el.addEventListener('seeked', resolve, { once: true });
      el.currentTime = 3;
    }));
    expect(await video.evaluate((el: HTMLVideoElement) => el.currentTime)).toBe(3);
    await shot(page, 'live-page-archived');
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

  it('should generate tasks from the form and watch them together until each ends', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url);
    await page.locator('#prompt').fill('a red fox running through fresh snow');
    await page.locator('#generate-button').click();
    const first = page.locator('#tasks li').first();
    await expect.poll(() => first.getAttribute('data-task-id'), { timeout: 20_000 }).toMatch(/^task_/);
    const okId = (await first.getAttribute('data-task-id'))!;
    await page.locator('#prompt').fill('this one should fail');
    await page.locator('#duration').selectOption('10');
    await page.locator('#ratio').selectOption('9:16');
    await page.locator('#generate-button').click();
    await expect.poll(() => page.locator('#tasks li').count(), { timeout: 20_000 }).toBe(2);
    const failId = (await page.locator('#tasks li').first().getAttribute('data-task-id'))!;
    expect(failId).toMatch(/^task_fail_/);
    const ok = page.locator(`#tasks li[data-task-id="${okId}"]`);
    const failed = page.locator(`#tasks li[data-task-id="${failId}"]`);
    await expect.poll(() => ok.getAttribute('data-status'), { timeout: 20_000 }).toBe('IN_PROGRESS');
    await shot(page, 'live-page-generate-in-progress');
    await expect.poll(() => failed.getAttribute('data-status'), { timeout: 30_000 }).toBe('FAILURE');
    await expect.poll(() => ok.getAttribute('data-status'), { timeout: 30_000 }).toBe('SUCCESS');
    expect(await ok.locator('progress').evaluate((el: HTMLProgressElement) => el.value)).toBe(100);
    expect(await ok.locator('.outcome a').innerText()).toBe(`${simulatorUrl}/samples/${okId}.mp4`);
    expect(await failed.locator('.outcome').innerText()).toContain('content filter');
    await shot(page, 'live-page-generate-done');
    await page.close();
  });

  it('should say in words why a create was refused', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.url);
    await page.locator('#prompt').fill('a cat');
    await page.locator('#model').fill('sim-quota-exceeded');
    await page.locator('#generate-button').click();
    const error = page.locator('#create-error');
    await expect.poll(() => error.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await error.innerText()).toBe('Your quota is used up: top up your balance, then try again.');
    await page.locator('#model').fill('sim-rate-limited');
    await page.locator('#generate-button').click();
    await expect.poll(() => error.innerText(), { timeout: 20_000 }).toBe('Too many requests right now: try again in 7 seconds.');
    await shot(page, 'live-page-create-error');
    await page.close();
  });
});
