import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { useConsoleBrowser } from '../helpers/console-browser';

/** What axe-core finds on the page shown, against WCAG 2.1 A and AA, as one line per rule and element. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${v.impact ?? '?'} ${v.id}: ${n.target.join(' ')} — ${v.help}${process.env.A11Y_DEBUG ? ` (${n.failureSummary})` : ''}`,
    ),
  );
}

describe('the console in headless Chromium: accessible screens, usable from the keyboard alone', () => {
  const h = useServiceHarness('consolea11y');
  const b = useConsoleBrowser(() => h.sdk.url);

  it('signs in with the keyboard alone: Tab to each field, type, Enter', async () => {
    const { page } = b.c;
    await page.goto('/');
    await page.getByLabel('Application id').waitFor();
    expect(await violations(page)).toEqual([]);
    // From the top of the page, Tab reaches the id field first and the token field next.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe(
      await page.getByLabel('Application id').getAttribute('id'),
    );
    await page.keyboard.type(h.t.auth['X-App-Id']);
    await page.keyboard.press('Tab');
    await page.keyboard.type(h.t.auth['X-App-Token']);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Distributions' }).waitFor();
  });

  it('reaches every screen from the navigation by keyboard, and each has no WCAG A/AA violation axe-core can find', async () => {
    const { page } = b.c;
    await createCampaign(h.sdk, {
      name: 'A11y codes',
      type: 'STATIC',
      vouchers_count: 2,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
    });
    const found: Record<string, string[]> = {};
    for (const [link, heading] of [
      ['Distributions', 'Distributions'],
      ['Segments', 'Segments'],
      ['Customers', 'Customers'],
      ['Campaigns', 'Campaigns'],
      ['Channel accounts', 'Channel accounts'],
      ['Consents', 'Consents'],
    ] as const) {
      // Focus the navigation link and follow it with Enter, as a keyboard user does.
      await page.getByRole('link', { name: link, exact: true }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.waitForLoadState('networkidle');
      found[link] = await violations(page);
    }
    for (const [path, heading] of [
      ['/distributions/new', 'New distribution'],
      ['/segments/new', 'New segment'],
      ['/campaigns/new', 'New unique-code campaign'],
    ] as const) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading }).first().waitFor();
      await page.waitForLoadState('networkidle');
      found[path] = await violations(page);
    }
    await page.goto('/campaigns');
    await page.getByRole('link', { name: 'A11y codes' }).click();
    await page.getByRole('heading', { name: 'Code pool' }).waitFor();
    found['campaign page'] = await violations(page);
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
    expect(b.c.problems).toEqual([]);
  }, 120_000);
});
