import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/console');

/** Debian's Chromium, started as the machine notes say (no background networking on a closed network). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  // The service serves console/dist: build it when the sources are newer (a no-op when current),
  // in a child process so this process's worker is not blocked meanwhile.
  await promisify(execFile)('npx', ['tsx', 'src/tools/console-build-cli.ts'], {
    cwd: path.resolve(__dirname, '../..'),
  });
  return chromium.launch({
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
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Console errors and refused requests: a console that loads from elsewhere, or breaks its CSP, shows here. */
  problems: string[];
  screenshot(name: string): Promise<void>;
}

/** A fresh browser profile on the console; any request off the service's origin is refused and recorded. */
export async function openConsole(
  browser: Browser,
  baseUrl: string,
  viewport = { width: 1280, height: 900 },
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport, baseURL: baseUrl });
  const page = await context.newPage();
  // Screens answer in well under a second here; a step that waits longer has failed.
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(baseUrl)) return route.continue();
    problems.push(`off-origin request: ${route.request().url()}`);
    return route.abort();
  });
  page.on('console', (msg) => {
    // A 4xx the console asked for on purpose is logged by Chromium as a failed resource; the rest are real.
    if (
      msg.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())
    )
      problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    problems,
    screenshot: async (name) => {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
  };
}

/** Signs in through the sign-in form and waits for the distributions screen. */
export async function signIn(page: Page, auth: { 'X-App-Id': string; 'X-App-Token': string }): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Application id').fill(auth['X-App-Id']);
  await page.getByLabel('Application token').fill(auth['X-App-Token']);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Distributions' }).waitFor();
}

/**
 * A browser on the console for one suite: launched before its tests (signed in when asked),
 * closed after. `current()` is the page the suite's tests drive.
 */
export function useConsoleBrowser(
  sdkUrl: () => string,
  options: { auth?: () => { 'X-App-Id': string; 'X-App-Token': string } } = {},
) {
  const state: { browser?: Browser; console?: ConsolePage } = {};
  beforeAll(async () => {
    state.browser = await launchChromium();
    state.console = await openConsole(state.browser, sdkUrl());
    if (options.auth) await signIn(state.console.page, options.auth());
  }, 180_000);
  afterAll(async () => {
    await state.console?.context.close();
    await state.browser?.close();
  });
  return {
    get browser(): Browser {
      return state.browser!;
    },
    get c(): ConsolePage {
      return state.console!;
    },
  };
}
