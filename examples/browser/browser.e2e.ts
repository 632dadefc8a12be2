import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onDispose, startGateway, startSimulator, type TestGateway } from '../../test/helpers.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** Builds the example with Vite and serves the output from its own origin, as a static host would. */
async function buildAndServe(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'browser-example-'));
  onDispose(() => rmSync(outDir, { recursive: true, force: true }));
  await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    try {
      const body = readFileSync(join(outDir, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onDispose(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let browser: Browser;
let gateway: TestGateway;
let page: string;

beforeAll(async () => {
  const simulator = await startSimulator({ durationMs: 3000 });
  simulator.setTask('browser-done', { status: 'success', progress: '100%', result_url: 'https://cdn.example/browser-done.mp4' });
  const origin = await buildAndServe();
  gateway = await startGateway({ upstreamUrl: simulator.url, upstreamApiKey: 'demo-key', corsOrigins: [origin], pollIntervalMs: 100 });
  page = `${origin}/?gateway=${encodeURIComponent(gateway.endpoint)}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('the browser example, built by Vite and served from its own origin', () => {
  it('should show a task live until it is final, across origins', async () => {
    const tab = await browser.newPage();
    await tab.goto(page);
    await tab.locator('#task-id').fill('browser-live-1');
    await tab.locator('#watch-button').click();
    await expect.poll(() => tab.locator('body').getAttribute('data-status'), { timeout: 20_000 }).toBe('IN_PROGRESS');
    await expect.poll(() => tab.locator('body').getAttribute('data-complete'), { timeout: 30_000 }).toBe('true');
    expect(await tab.locator('body').getAttribute('data-status')).toBe('SUCCESS');
    expect(Number(await tab.locator('#progress').evaluate((el: HTMLProgressElement) => el.value))).toBe(100);
    expect(await tab.locator('#problem').isHidden()).toBe(true);
    await tab.close();
  });

  it('should read x-request-id across origins and get a cacheable answer for a finished task', async () => {
    const tab = await browser.newPage();
    const answers: { cacheControl?: string; etag?: string }[] = [];
    tab.on('response', (response) => {
      if (response.url().startsWith(gateway.endpoint) && response.request().method() === 'GET') {
        answers.push({ cacheControl: response.headers()['cache-control'], etag: response.headers()['etag'] });
      }
    });
    await tab.goto(page);
    await tab.locator('#task-id').fill('browser-done');
    await tab.locator('#watch-button').click();
    await expect.poll(() => tab.locator('body').getAttribute('data-complete'), { timeout: 20_000 }).toBe('true');
    expect(await tab.locator('#result').innerText()).toBe('https://cdn.example/browser-done.mp4');
    // The script could read the header: CORS exposes it.
    expect(await tab.locator('body').getAttribute('data-request-id')).toMatch(/^browser-/);
    expect(answers[0]).toMatchObject({ cacheControl: 'private, max-age=60', etag: expect.stringMatching(/^"/) });
    await tab.close();
  });
});
