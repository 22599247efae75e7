import type { Browser } from 'playwright-core';
import { useServiceHarness } from '../helpers/harness';
import { launchChromium, openConsole, signIn, type ConsolePage } from '../helpers/console-browser';

describe('the console in headless Chromium: served by the API, sign-in and sign-out', () => {
  const h = useServiceHarness('consolesession');
  let browser: Browser;
  let c: ConsolePage;

  beforeAll(async () => {
    browser = await launchChromium();
    c = await openConsole(browser, h.sdk.url);
  }, 120_000);
  afterAll(async () => {
    await c?.context.close();
    await browser?.close();
  });

  it('serves the app at / with a CSP allowing no inline script, and a client route falls back to the app', async () => {
    const res = await fetch(`${h.sdk.url}/distributions/dist_unknown`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(await res.text()).toContain('<div id="root">');
    // A client that does not ask for HTML keeps the API's JSON 404 off the API's paths too.
    const plain = await fetch(`${h.sdk.url}/distributions/dist_unknown`, { headers: { accept: 'application/json' } });
    expect(plain.status).toBe(404);
    expect(plain.headers.get('content-type')).toContain('application/json');
    // API paths stay the API's: JSON errors, never the app's page.
    const api = await fetch(`${h.sdk.url}/v1/nothing-here`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(401);
    expect(api.headers.get('content-type')).toContain('application/json');
  });

  it('shows a clear message for a wrong token, and names the command that makes a first key', async () => {
    await c.page.goto('/');
    await c.page.getByText('npm run app-key -- create').waitFor();
    await c.screenshot('sign-in');
    await c.page.getByLabel('Application id').fill(h.t.auth['X-App-Id']);
    await c.page.getByLabel('Application token').fill('not-the-token');
    await c.page.getByRole('button', { name: 'Sign in' }).click();
    await c.page.getByRole('alert').filter({ hasText: 'do not match a key' }).waitFor();
    await c.screenshot('sign-in-error');
    expect(await c.context.cookies()).toEqual([]);
  });

  it('signs in: the session is an HttpOnly cookie, and the token is in no browser storage', async () => {
    await signIn(c.page, h.t.auth);
    await c.page.getByText('No distribution yet').waitFor();
    await c.screenshot('distributions-empty');
    const cookies = await c.context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'promo_session', httpOnly: true, sameSite: 'Strict' })]);
    expect(cookies[0]!.expires).toBeGreaterThan(Date.now() / 1000);
    const storage = await c.page.evaluate(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
    );
    expect(storage).not.toContain(h.t.auth['X-App-Token']);
    expect(storage).not.toContain(cookies[0]!.value);
    // A reload keeps the session (the cookie), without asking for the token again.
    await c.page.reload();
    await c.page.getByRole('heading', { name: 'Distributions' }).waitFor();
    expect(c.problems).toEqual([]);
  });

  it('stays usable at 768 px wide', async () => {
    await c.page.setViewportSize({ width: 768, height: 900 });
    await c.page.getByRole('heading', { name: 'Distributions' }).waitFor();
    await c.screenshot('distributions-768');
    await c.page.setViewportSize({ width: 1280, height: 900 });
  });

  it('signs out: the session ends on the server and the sign-in page is back', async () => {
    const [cookie] = await c.context.cookies();
    await c.page.getByRole('button', { name: 'Sign out' }).click();
    await c.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await c.context.cookies()).toEqual([]);
    // The old cookie no longer works even if someone kept it.
    const res = await fetch(`${h.sdk.url}/v1/sessions/current`, {
      headers: { cookie: `promo_session=${cookie!.value}` },
    });
    expect(res.status).toBe(401);
    expect(c.problems).toEqual([]);
  });
});
