import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../../src/http/app';
import { createTestContext, type TestContext } from '../helpers/context';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** helmet's Content-Security-Policy is on every response: the API docs page must still work under it. */
describe('/docs in headless Chromium under the security headers', () => {
  let t: TestContext;
  let server: Server;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH`);
    t = await createTestContext('docsbrowser');
    server = await new Promise((resolve) => {
      const s = createApp(t.ctx).listen(0, '127.0.0.1', () => resolve(s));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await t?.close();
  });

  it('renders the operations with no Content-Security-Policy violation', async () => {
    const page = await browser!.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/docs/`);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
    expect(await page.locator('.opblock-summary-path').count()).toBeGreaterThan(50);
    expect(violations).toEqual([]);
  });
});
