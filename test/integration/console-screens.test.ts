import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { createAppKey } from '../../src/auth/app-keys';
import { FakeKeyChannel, startFakeKeyProvider, type FakeKeyProvider } from '../helpers/fake-key-channel';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';
import { launchChromium, openConsole, signIn, type ConsolePage } from '../helpers/console-browser';

describe('the console in headless Chromium: customers, CSV import, consents, channel accounts, read-only keys', () => {
  const KEY = 'fk_live_console_0123456789';
  const h = useServiceHarness('consolescreens', { channels: [new FakeKeyChannel('fakekey')] });
  let provider: FakeKeyProvider;
  let browser: Browser;
  let c: ConsolePage;

  beforeAll(async () => {
    provider = await startFakeKeyProvider([KEY]);
    browser = await launchChromium();
    c = await openConsole(browser, h.sdk.url);
    await signIn(c.page, h.t.auth);
  }, 180_000);
  afterAll(async () => {
    await c?.context.close();
    await browser?.close();
    await provider?.close();
  });

  it('imports a CSV with a progress bar and shows the rows it refused, then finds a customer and opens the page', async () => {
    const { page } = c;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'console-csv-'));
    const file = path.join(dir, 'customers.csv');
    writeFileSync(
      file,
      [
        'source_id,name,email,metadata.tier',
        'imp-1,Ida,ida@example.com,vip',
        'imp-2,Jo,not-an-email,basic',
        'imp-3,Kim,kim@example.com,vip',
      ].join('\n') + '\n',
    );
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page
      .getByTestId('import-status')
      .filter({ hasText: 'Done: 2 imported, 1 failed' })
      .waitFor({ timeout: 30_000 });
    const errors = page.getByRole('table', { name: 'Row errors' });
    await errors.getByRole('cell', { name: 'email', exact: true }).waitFor();
    expect(await errors.locator('tbody tr').count()).toBe(1);
    expect(await errors.locator('tbody tr td').first().textContent()).toBe('2');
    await c.screenshot('customers-import');

    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('textbox', { name: 'Search customers' }).fill('kim@example.com');
    await page.getByRole('table', { name: 'Customers' }).getByRole('link', { name: 'Kim' }).click();
    await page.getByRole('heading', { name: 'Kim' }).waitFor();
    const metadata = page.getByRole('table', { name: 'Metadata' });
    await metadata.getByRole('row', { name: 'tier vip' }).waitFor();
    await page.getByText('No message yet').waitFor();
    await c.screenshot('customer-page');
    expect(await h.t.ctx.models.Customer.countDocuments({ source_id: { $in: ['imp-1', 'imp-3'] } })).toBe(2);
  }, 90_000);

  it("edits a customer's metadata as key/value fields, and as JSON for what fields do not fit", async () => {
    const { page } = c;
    const stored = async () => (await h.t.ctx.models.Customer.findOne({ source_id: 'imp-3' }).lean())!.metadata;
    await page.goto('/customers/imp-3');
    await page.getByRole('button', { name: 'Edit metadata' }).click();
    // Fields: change a value, add a number (typed as one), refuse text that is not a number.
    await page.getByRole('textbox', { name: 'Metadata: value 1' }).fill('gold');
    await page.getByRole('button', { name: 'Add key' }).click();
    await page.getByRole('textbox', { name: 'Metadata: name 2' }).fill('points');
    await page.getByRole('combobox', { name: 'Metadata: type 2' }).click();
    await page.getByRole('option', { name: 'Number' }).click();
    await page.getByRole('textbox', { name: 'Metadata: value 2' }).fill('twelve');
    await page.getByTestId('metadata-error').filter({ hasText: 'points: not a number' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save metadata' }).isDisabled()).toBe(true);
    await page.getByRole('textbox', { name: 'Metadata: value 2' }).fill('12');
    await c.screenshot('customer-metadata-fields');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.getByRole('table', { name: 'Metadata' }).getByRole('row', { name: 'points 12' }).waitFor();
    expect(await stored()).toEqual({ tier: 'gold', points: 12 });

    // JSON: a nested value, and a key removed (the API merges by key, so the console clears it).
    await page.getByRole('button', { name: 'Edit metadata' }).click();
    await page.getByRole('radiogroup', { name: 'Edit metadata as' }).getByText('JSON').click();
    const json = page.getByRole('textbox', { name: 'Metadata (JSON)' });
    expect(JSON.parse(await json.inputValue())).toEqual({ tier: 'gold', points: 12 });
    await json.fill('{ "tier": "gold", "prefs": ');
    await page.getByTestId('metadata-error').filter({ hasText: 'not valid JSON' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save metadata' }).isDisabled()).toBe(true);
    await json.fill('{ "tier": "gold", "prefs": { "lang": "en" } }');
    await c.screenshot('customer-metadata-json');
    // Back to fields: the nested value is one JSON-typed row.
    await page.getByRole('radiogroup', { name: 'Edit metadata as' }).getByText('Fields').click();
    await expect(page.getByRole('textbox', { name: 'Metadata: value 2' }).inputValue()).resolves.toBe('{"lang":"en"}');
    await expect(page.getByRole('combobox', { name: 'Metadata: type 2' }).inputValue()).resolves.toBe('JSON');
    await page.getByRole('button', { name: 'Save metadata' }).click();
    await page.getByRole('table', { name: 'Metadata' }).getByRole('row', { name: /prefs/ }).waitFor();
    expect(await stored()).toEqual({ tier: 'gold', prefs: { lang: 'en' } });
    expect(
      await page
        .getByRole('table', { name: 'Metadata' })
        .getByRole('row', { name: /points/ })
        .count(),
    ).toBe(0);
    await c.screenshot('customer-metadata');
  }, 60_000);

  it('defines a consent and a consent group', async () => {
    const { page } = c;
    await page.getByRole('link', { name: 'Consents' }).click();
    await page.getByRole('textbox', { name: 'Consent name' }).fill('Newsletter');
    await page.getByRole('button', { name: 'Define consent' }).click();
    await page.getByRole('table', { name: 'Consents' }).getByText('Newsletter').waitFor();
    await page.getByRole('textbox', { name: 'Group name' }).fill('Marketing');
    await page.getByLabel('Member consents').first().click();
    await page.getByRole('option', { name: 'Newsletter' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Define group' }).click();
    // A group sits in its own table, its members in their own column (not in the consents' Description).
    const groupRow = page.getByRole('table', { name: 'Consent groups' }).getByRole('row', { name: /Marketing/ });
    await groupRow.waitFor();
    expect(await groupRow.getByRole('cell').nth(3).innerText()).toBe('Newsletter');
    expect(await groupRow.getByRole('cell').nth(2).innerText()).toBe('—');
    expect(await page.getByRole('table', { name: 'Consents' }).getByText('Marketing').count()).toBe(0);
    await c.screenshot('consents');
    expect(await h.t.ctx.models.ConsentGroup.countDocuments({ name: 'Marketing' })).toBe(1);
  }, 60_000);

  it('adds a channel account whose secret never comes back to the page, and tests its connection', async () => {
    const { page } = c;
    await page.getByRole('link', { name: 'Channel accounts' }).click();
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('combobox', { name: 'Provider' }).fill('fakekey');
    await page.getByRole('textbox', { name: 'Account name' }).fill('Fake production');
    const rows = [
      ['Credentials', 'api_key', KEY],
      ['Credentials', 'signing_secret', 'fk_signing_console_secret'],
      ['Settings', 'base_url', provider.url],
    ] as const;
    let n = { Credentials: 0, Settings: 0 };
    for (const [group, name, value] of rows) {
      await page.getByRole('group', { name: group }).getByRole('button', { name: 'Add' }).click();
      n = { ...n, [group]: n[group] + 1 };
      await page.getByLabel(`${group}: name ${n[group]}`).fill(name);
      await page.getByLabel(`${group}: value ${n[group]}`).fill(value);
    }
    await page.getByRole('button', { name: 'Add account' }).last().click();
    await page.getByRole('table', { name: 'Channel accounts' }).getByText('Fake production').waitFor();
    await page.getByRole('button', { name: 'Test Fake production' }).click();
    await page.getByText('connected').waitFor();
    await c.screenshot('channel-accounts');
    const html = await page.content();
    expect(html).not.toContain(KEY);
    expect(html).not.toContain('fk_signing_console_secret');
  }, 60_000);

  it('creates a promotion with a tier, which the wizard then offers for "notify about a promotion"', async () => {
    const { page } = c;
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('link', { name: 'New promotion' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Console summer');
    await page.getByRole('textbox', { name: 'Tier 1 name' }).fill('Big basket');
    await page.getByRole('textbox', { name: 'Tier 1 banner' }).fill('10% off over 100');
    await page.getByRole('button', { name: 'Create promotion' }).click();
    await page.getByRole('table', { name: 'Campaigns' }).getByText('1 tiers').waitFor();
    await c.screenshot('campaigns');
    await page.getByRole('link', { name: 'Distributions' }).click();
    await page.getByRole('link', { name: 'New distribution' }).click();
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    await page.getByRole('radio', { name: /about a promotion/ }).check();
    await page.getByRole('combobox', { name: 'Promotion tier' }).click();
    await page.getByRole('option', { name: 'Big basket — 10% off over 100' }).waitFor();
    await page.keyboard.press('Escape');
  }, 60_000);

  it("opens a promotion's page and edits a tier in place: its name, banner and value, and turns it off", async () => {
    const { page } = c;
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('link', { name: 'Console summer' }).click();
    await page.getByRole('heading', { name: 'Tiers' }).waitFor();
    const tier = page.locator('[data-testid^="tier-"]').first();
    await tier.getByRole('button', { name: 'Edit' }).click();
    await tier.getByRole('textbox', { name: 'Tier name' }).fill('Bigger basket');
    await tier.getByRole('textbox', { name: 'Banner' }).fill('15% off over 100');
    await tier.getByRole('textbox', { name: 'Percent off' }).fill('15');
    await tier.getByRole('button', { name: 'Save tier' }).click();
    await tier.getByText('1. Bigger basket').waitFor();
    await tier.getByText('15% off', { exact: true }).waitFor();
    // The switch shows the stored state: it turns off once the API said so and the tier was read again.
    await tier.getByRole('switch', { name: 'Active' }).click({ force: true });
    await tier.locator('input[role="switch"]:not(:checked)').waitFor({ state: 'attached' });
    await c.screenshot('promotion-detail');
    const campaign = (await h.t.ctx.models.Campaign.findOne({ name: 'Console summer' }).lean())!;
    await eventually(
      async () => {
        const stored = await h.t.ctx.models.PromotionTier.findOne({ campaign_id: campaign._id }).lean();
        return stored?.active === false ? stored : undefined;
      },
      10_000,
      'tier disabled',
    );
    const stored = (await h.t.ctx.models.PromotionTier.findOne({ campaign_id: campaign._id }).lean())!;
    expect(stored).toMatchObject({ name: 'Bigger basket', banner: '15% off over 100', active: false });
    expect(stored.action.discount).toMatchObject({ type: 'PERCENT', percent_off: 15 });
  }, 60_000);

  it("opens a static campaign's page, adds one code of the marketer's choosing and generates more; the pool shows them", async () => {
    const { page } = c;
    await createCampaign(h.sdk, {
      name: 'Console static',
      type: 'STATIC',
      vouchers_count: 2,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 20 } },
    });
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await page.getByRole('link', { name: 'Console static' }).click();
    await page.getByTestId('pool-use').getByText('0 / 2 used').waitFor();
    await page.getByText('20% off').waitFor();
    await page.getByRole('textbox', { name: 'Or add one code' }).fill('CONSOLE-GIFT-1');
    await page.getByRole('button', { name: 'Add code' }).click();
    await page.getByTestId('pool-use').getByText('0 / 3 used').waitFor({ timeout: 15_000 });
    await page.getByRole('textbox', { name: 'Generate codes' }).fill('5');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByTestId('pool-use').getByText('0 / 8 used').waitFor({ timeout: 30_000 });
    // The same code again is the API's 409, shown on the page; nothing is added.
    await page.getByRole('textbox', { name: 'Or add one code' }).fill('CONSOLE-GIFT-1');
    await page.getByRole('button', { name: 'Add code' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /exists/i })
      .waitFor();
    await page.getByText('Generation: DONE').waitFor({ timeout: 30_000 });
    await page.getByRole('textbox', { name: 'Description' }).fill('Spring coupons for the newsletter');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByText('Campaign saved').waitFor();
    await c.screenshot('campaign-detail');
    const campaign = (await h.t.ctx.models.Campaign.findOne({ name: 'Console static' }).lean())!;
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: campaign._id })).toBe(8);
    expect(await h.t.ctx.models.Voucher.countDocuments({ code: 'CONSOLE-GIFT-1' })).toBe(1);
    expect(campaign.description).toBe('Spring coupons for the newsletter');
  }, 90_000);

  it('gives a read-only key a console whose actions are hidden', async () => {
    const { appId, appToken } = await createAppKey(h.t.ctx.models.AppKey, 'viewer', 'read');
    const viewer = await openConsole(browser, h.sdk.url);
    try {
      await signIn(viewer.page, { 'X-App-Id': appId, 'X-App-Token': appToken });
      await viewer.page.getByText('read', { exact: true }).waitFor();
      expect(await viewer.page.getByRole('link', { name: 'New distribution' }).count()).toBe(0);
      await viewer.page.getByRole('link', { name: 'Segments' }).click();
      await viewer.page.getByRole('heading', { name: 'Segments' }).waitFor();
      expect(await viewer.page.getByRole('link', { name: 'New segment' }).count()).toBe(0);
      await viewer.page.getByRole('link', { name: 'Customers' }).click();
      await viewer.page.getByRole('heading', { name: 'Customers' }).waitFor();
      expect(await viewer.page.getByRole('link', { name: 'Import CSV' }).count()).toBe(0);
      await viewer.screenshot('read-only');
    } finally {
      await viewer.context.close();
    }
  }, 60_000);
});
