import { type Browser, type Page } from 'playwright-core';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { launchChromium, openConsole, signIn, type ConsolePage } from '../helpers/console-browser';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { eventually } from '../helpers/sdk';

/** Picks an option of a Mantine Select by its label. */
async function choose(page: Page, label: string, option: RegExp | string): Promise<void> {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option }).first().click();
}

async function next(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Next', exact: true }).click();
}

describe('the console in headless Chromium: a manual distribution through the four-step wizard', () => {
  const h = useServiceHarness('consoledist');
  let browser: Browser;
  let c: ConsolePage;
  let webhook: FakeWebhook;
  let segmentId: string;
  let campaignId: string;
  const customers = ['ann', 'bob', 'cy'];

  beforeAll(async () => {
    webhook = await startFakeWebhook(h.t.ctx.settings.webhookSecret);
    for (const name of customers) await h.sdk.createCustomer({ source_id: `console-${name}`, name: name.toUpperCase(), email: `${name}@example.com`, metadata: { tier: 'vip' } });
    await h.sdk.createCustomer({ source_id: 'console-dan', name: 'DAN', metadata: { tier: 'basic' } });
    const segment = (await h.sdk.client.segments.create({ name: 'Console VIPs', type: 'auto-update', filter: { junction: 'and', 'metadata.tier': { conditions: { $is: ['vip'] } } } } as never)) as { id: string };
    segmentId = segment.id;
    campaignId = (await createCampaign(h.sdk, { name: 'Console codes', type: 'STATIC', vouchers_count: 10, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } } })).id;
    browser = await launchChromium();
    c = await openConsole(browser, h.sdk.url);
    await signIn(c.page, h.t.auth);
  }, 180_000);
  afterAll(async () => {
    await c?.context.close();
    await browser?.close();
    await webhook?.close();
  });

  /** Runs the four steps for a manual webhook distribution to the VIP segment. */
  async function runWizard(name: string, hookPath: string, grace: number): Promise<void> {
    const { page } = c;
    await page.getByRole('link', { name: 'Distributions' }).click();
    await page.getByRole('link', { name: 'New distribution' }).click();
    // 1. Trigger: manual is the default choice.
    await page.getByRole('radio', { name: /^Manual/ }).check();
    await next(page);
    // 2. Conditions: name, purpose (unique codes of a campaign), audience (the segment, its sync state beside its name).
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await page.getByRole('radio', { name: /unique codes/ }).check();
    await choose(page, 'Campaign', /Console codes/);
    await page.getByRole('combobox', { name: 'Segment', exact: true }).click();
    await page.getByRole('option', { name: /Console VIPs.*synced · 3 customers/ }).click();
    await page.getByRole('textbox', { name: 'Grace period (seconds)' }).fill(String(grace));
    await next(page);
    // 3. Consents: none required.
    await page.getByText('A customer who unsubscribed from a channel never gets a message').waitFor();
    await next(page);
    // 4. Channels & messages, with a live preview for a customer.
    await page.getByRole('checkbox', { name: 'Webhook' }).check();
    await page.getByRole('textbox', { name: 'Webhook URL' }).fill(`${webhook.url}/${hookPath}`);
    await page.getByRole('textbox', { name: 'Message (text)' }).fill('Hi {{ customer.name }}, your code: ');
    await page.getByRole('button', { name: 'Insert variable' }).click();
    await page.getByRole('menuitem', { name: 'voucher.code', exact: true }).click();
    await page.getByRole('combobox', { name: 'Preview for customer' }).fill('console-ann');
    await page.getByRole('option', { name: /ANN/ }).click();
    await page.getByTestId('preview-text').filter({ hasText: 'Hi ANN, your code: SAMPLE-CODE' }).waitFor();
    await next(page);
  }

  it('sends one message per customer with distinct codes after a 5-second countdown, and the report shows them', async () => {
    const { page } = c;
    await runWizard('Console spring codes', 'spring', 5);
    await c.screenshot('wizard-summary');
    await page.getByRole('list', { name: 'Summary' }).getByText('5 s').waitFor();
    await page.getByRole('button', { name: 'Save and send' }).click();
    await page.getByRole('heading', { name: 'Console spring codes' }).waitFor();
    await page.getByTestId('countdown').waitFor();
    expect(await page.getByTestId('countdown').textContent()).toMatch(/Sends in [1-5] s/);
    await c.screenshot('distribution-countdown');
    expect(webhook.requests.filter((r) => r.path === '/hook/spring')).toHaveLength(0);

    const got = await webhook.waitFor(3, 30_000);
    const spring = got.filter((r) => r.path === '/hook/spring');
    expect(spring).toHaveLength(3);
    const bodies = spring.map((r) => r.body as { customer: { source_id: string }; text: string; variables: { voucher: { code: string } } });
    expect(bodies.map((b) => b.customer.source_id).sort()).toEqual(customers.map((n) => `console-${n}`));
    const codes = bodies.map((b) => b.variables.voucher.code);
    expect(new Set(codes).size).toBe(3);
    for (const b of bodies) expect(b.text).toContain(b.variables.voucher.code);

    await page.getByTestId('sent-webhook').filter({ hasText: '3' }).waitFor({ timeout: 30_000 });
    await page.locator('[data-status="completed"]').waitFor({ timeout: 30_000 });
    // The messages list holds the same codes.
    await eventually(async () => ((await page.getByTestId('message-code').allTextContents()).length === 3 ? true : undefined), 10_000, 'three messages listed');
    expect((await page.getByTestId('message-code').allTextContents()).sort()).toEqual([...codes].sort());
    await c.screenshot('distribution-report');
    await page.getByRole('link', { name: 'Distributions' }).click();
    await page.getByRole('link', { name: 'Console spring codes' }).waitFor();
    await page.getByText('3 sent').waitFor();
    await c.screenshot('distributions-list');
    expect(c.problems).toEqual([]);
  }, 120_000);

  it('cancelling during the countdown sends nothing', async () => {
    const { page } = c;
    await runWizard('Console cancelled', 'cancelled', 5);
    await page.getByRole('button', { name: 'Save and send' }).click();
    await page.getByTestId('countdown').waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel distribution' }).click();
    await page.locator('[data-status="cancelled"]').first().waitFor();
    await c.screenshot('distribution-cancelled');
    // Past the grace period: still nothing.
    await new Promise((r) => setTimeout(r, 7000));
    expect(webhook.all.filter((r) => r.path === '/hook/cancelled')).toHaveLength(0);
    const list = await h.t.ctx.models.DistributionMessage.countDocuments({ channel_type: 'webhook', distribution_id: { $ne: null } });
    expect(list).toBe(3);
  }, 90_000);

  it("shows the API's field errors on the step that holds each field", async () => {
    const { page } = c;
    await runWizard('', 'invalid', 5);
    await page.getByRole('button', { name: 'Save and send' }).click();
    // The name is refused: the wizard goes back to the conditions step and shows it there.
    const conditions = page.getByTestId('step-1-errors');
    await conditions.getByText('name').first().waitFor();
    await page.getByRole('textbox', { name: 'Name', exact: true }).and(page.locator('[aria-invalid="true"]')).waitFor();
    await c.screenshot('wizard-field-error-conditions');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Console invalid');
    // An unknown variable is refused on the channels step.
    await next(page);
    await next(page);
    await page.getByRole('textbox', { name: 'Message (text)' }).fill('{{ nope.unknown }}');
    await next(page);
    await page.getByRole('button', { name: 'Save and send' }).click();
    const channels = page.getByTestId('step-3-errors');
    await channels.getByText(/channels\.0\.template\.text/).waitFor();
    await page.getByRole('textbox', { name: 'Message (text)' }).and(page.locator('[aria-invalid="true"]')).waitFor();
    await c.screenshot('wizard-field-error-channels');
    expect(await h.t.ctx.models.Distribution.countDocuments({ name: 'Console invalid' })).toBe(0);
  }, 90_000);
});
