import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { useServiceHarness } from '../helpers/harness';
import { everyBlock, everyBlockStyle } from '../helpers/template-blocks';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

describe('a template using every block, previewed in headless Chromium', () => {
  const h = useServiceHarness('tmplbrowser');
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`,
      );
    }
    h.t.ctx.settings.publicUrl = h.sdk.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the code and loads the QR image served by the app, and saves a screenshot', async () => {
    const customer = await h.sdk.createCustomer({
      source_id: 'browser-cy',
      name: 'Cy Preview',
      email: 'cy@example.com',
    });
    const res = await fetch(`${h.sdk.url}/v1/templates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.t.auth },
      body: JSON.stringify({
        name: 'Every block',
        channel_type: 'email',
        subject: 'Hi {{ customer.name }}',
        blocks: everyBlock,
        style: everyBlockStyle,
      }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };

    const context = await browser!.newContext({ extraHTTPHeaders: h.t.auth, viewport: { width: 800, height: 1000 } });
    const page = await context.newPage();
    // Only the app is reachable: the example logo and mjml's social icons would wait on the internet.
    await page.route('**/*', (route) =>
      route.request().url().startsWith(h.sdk.url) ? route.continue() : route.abort(),
    );
    const answer = await page.goto(
      `${h.sdk.url}/v1/templates/${id}/preview?customer_id=${customer.id}&voucher_code=SPRING-2026&format=html`,
      { waitUntil: 'load' },
    );
    expect(answer?.status()).toBe(200);

    await expect(page.getByText('SPRING-2026', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Cy Preview', { exact: false }).first().isVisible()).resolves.toBe(true);
    await expect(page.getByText('Redeem now').isVisible()).resolves.toBe(true);

    const qr = page.locator('img[alt="Your QR code"]');
    expect(await qr.getAttribute('src')).toContain(`${h.sdk.url}/public/codes/SPRING-2026/qr.png?sig=`);
    // Runs in the page (the test's tsconfig has no DOM types): the image finished loading, or failing.
    for (const alt of ['Your QR code', 'Your barcode']) {
      await page.waitForFunction(`document.querySelector('img[alt="${alt}"]')?.complete === true`);
      const width = await page
        .locator(`img[alt="${alt}"]`)
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
      expect({ alt, loaded: width > 0 }).toEqual({ alt, loaded: true });
    }

    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'template-preview.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    await context.close();
  }, 60_000);

  it('runs no script a template carries: the preview is sandboxed, with an opaque origin', async () => {
    const customer = await h.sdk.createCustomer({
      source_id: 'browser-sandbox',
      name: 'Sandy',
      email: 'sandy@example.com',
    });
    const html =
      '<p id="p">{{ customer.name }}</p><img src="/no-such-image.png" alt="x" onerror="document.getElementById(\'p\').textContent = \'script ran\'">';
    const res = await fetch(`${h.sdk.url}/v1/templates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.t.auth },
      body: JSON.stringify({ name: 'Carries a handler', channel_type: 'email', subject: 's', html }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const context = await browser!.newContext({ extraHTTPHeaders: h.t.auth });
    const page = await context.newPage();
    await page.goto(`${h.sdk.url}/v1/templates/${id}/preview?customer_id=${customer.id}&format=html`, {
      waitUntil: 'load',
    });
    // The image failed (its onerror would have fired by now, were scripts on).
    await page.waitForFunction(`document.querySelector('img')?.complete === true`);
    expect(await page.locator('#p').textContent()).toBe('Sandy');
    // An opaque origin: the page cannot reach the console's storage.
    expect(await page.evaluate('window.origin')).toBe('null');
    await context.close();
  }, 60_000);
});
