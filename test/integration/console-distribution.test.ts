import type { Browser, Page } from 'playwright-core';
import { useServiceHarness } from '../helpers/harness';
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
  const customers = ['ann', 'bob', 'cy'];

  beforeAll(async () => {
    webhook = await startFakeWebhook(h.t.ctx.settings.webhookSecret);
    for (const name of customers)
      await h.sdk.createCustomer({
        source_id: `console-${name}`,
        name: name.toUpperCase(),
        email: `${name}@example.com`,
        metadata: { tier: 'vip' },
      });
    await h.sdk.createCustomer({ source_id: 'console-dan', name: 'DAN', metadata: { tier: 'basic' } });
    browser = await launchChromium();
    c = await openConsole(browser, h.sdk.url);
    await signIn(c.page, h.t.auth);
  }, 180_000);
  afterAll(async () => {
    await c?.context.close();
    await browser?.close();
    await webhook?.close();
  });

  interface WizardRun {
    name: string;
    hookPath: string;
    /** The trigger's radio label; manual by default. */
    trigger?: RegExp;
    /** Manual only. */
    grace?: number;
    body?: string;
  }

  /** Runs the four steps for a webhook distribution: manual ones to the VIP segment with unique codes, automatic ones plain. */
  async function runWizard({
    name,
    hookPath,
    trigger = /^Manual/,
    grace,
    body = 'Hi {{ customer.name }}, your code: ',
  }: WizardRun): Promise<void> {
    const { page } = c;
    const manual = trigger.source === '^Manual';
    await page.getByRole('link', { name: 'Distributions' }).click();
    await page.getByRole('link', { name: 'New distribution' }).click();
    // 1. Trigger.
    await page.getByRole('radio', { name: trigger }).check();
    await next(page);
    // 2. Conditions: name, purpose, audience (the segment, its sync state beside its name).
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    if (manual) {
      await page.getByRole('radio', { name: /unique codes/ }).check();
      await choose(page, 'Campaign', /Console codes/);
      await page.getByRole('combobox', { name: 'Segment', exact: true }).click();
      await page.getByRole('option', { name: /Console VIPs.*synced · 3 customers/ }).click();
      await page.getByRole('textbox', { name: 'Grace period (seconds)' }).fill(String(grace));
    } else {
      await page.getByRole('radio', { name: /plain message/ }).check();
    }
    await next(page);
    // 3. Consents: none required.
    await page.getByText('A customer who unsubscribed from a channel never gets a message').waitFor();
    await next(page);
    // 4. Channels & messages, with a live preview for a customer.
    await page.getByRole('checkbox', { name: 'Webhook' }).check();
    await page.getByRole('textbox', { name: 'Webhook URL' }).fill(`${webhook.url}/${hookPath}`);
    await page.getByRole('textbox', { name: 'Message (text)' }).fill(body);
    if (manual) {
      await page.getByRole('button', { name: 'Insert variable' }).click();
      await page.getByRole('menuitem', { name: 'voucher.code', exact: true }).click();
      await page.getByRole('combobox', { name: 'Preview for customer' }).fill('console-ann');
      await page.getByRole('option', { name: /ANN/ }).click();
      await page.getByTestId('preview-text').filter({ hasText: 'Hi ANN, your code: SAMPLE-CODE' }).waitFor();
      await c.screenshot('wizard-channels');
    }
    await next(page);
  }

  it('creates an auto-update segment with the filter builder, counts its customers first, and shows it synced', async () => {
    const { page } = c;
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('link', { name: 'New segment' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Console VIPs');
    await page.getByRole('textbox', { name: 'Metadata key 1' }).fill('tier');
    await page.getByRole('textbox', { name: 'Value 1' }).fill('vip');
    await page.getByRole('button', { name: 'Count matching customers' }).click();
    await page.getByTestId('match-count').filter({ hasText: '3 customers match' }).waitFor();
    await c.screenshot('segment-new');
    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.locator('[data-sync="synced"]').filter({ hasText: '3 customers' }).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('table', { name: 'Segments' }).getByText('synced · 3 customers').waitFor();
    await c.screenshot('segments');
  }, 60_000);

  it('creates a STATIC unique-code campaign with a code pattern and the rule "customer segment is Console VIPs"', async () => {
    const { page } = c;
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('link', { name: 'New unique-code campaign' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Console codes');
    await page.getByRole('textbox', { name: 'Code pattern' }).fill('VIP-######');
    await page.getByRole('textbox', { name: 'Number of codes' }).fill('10');
    await page.getByRole('switch', { name: /Auto-update/ }).uncheck();
    await choose(page, 'Validation rule: customer segment is', /Console VIPs/);
    await c.screenshot('campaign-new');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page
      .getByRole('table', { name: 'Campaigns' })
      .getByTestId('pool-use')
      .filter({ hasText: '0 / 10 used' })
      .waitFor({ timeout: 30_000 });
    const campaign = await h.t.ctx.models.Campaign.findOne({ name: 'Console codes' }).lean();
    expect(campaign).toMatchObject({ type: 'STATIC', vouchers_count: 10 });
    const codes = await h.t.ctx.models.Voucher.find({ campaign_id: campaign!._id }).lean();
    expect(codes.every((v) => /^VIP-[0-9A-Za-z]{6}$/.test(v.code))).toBe(true);
    const assignment = await h.t.ctx.models.ValidationRuleAssignment.findOne({
      related_object_id: campaign!._id,
    }).lean();
    const rule = await h.t.ctx.models.ValidationRule.findById(assignment!.rule_id).lean();
    const segment = await h.t.ctx.models.Segment.findOne({ name: 'Console VIPs' }).lean();
    expect(JSON.stringify(rule!.rules)).toContain(segment!._id);
  }, 60_000);

  it('sends one message per customer with distinct codes after a 5-second countdown, and the report shows them', async () => {
    const { page } = c;
    await runWizard({ name: 'Console spring codes', hookPath: 'spring', grace: 5 });
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
    const bodies = spring.map(
      (r) => r.body as { customer: { source_id: string }; text: string; variables: { voucher: { code: string } } },
    );
    expect(bodies.map((b) => b.customer.source_id).sort()).toEqual(customers.map((n) => `console-${n}`));
    const codes = bodies.map((b) => b.variables.voucher.code);
    expect(new Set(codes).size).toBe(3);
    for (const b of bodies) expect(b.text).toContain(b.variables.voucher.code);

    await page.getByTestId('sent-webhook').filter({ hasText: '3' }).waitFor({ timeout: 30_000 });
    await page.locator('[data-status="completed"]').waitFor({ timeout: 30_000 });
    // The messages list holds the same codes.
    await eventually(
      async () => ((await page.getByTestId('message-code').allTextContents()).length === 3 ? true : undefined),
      10_000,
      'three messages listed',
    );
    expect((await page.getByTestId('message-code').allTextContents()).sort()).toEqual([...codes].sort());
    await c.screenshot('distribution-report');
    await page.getByRole('link', { name: 'Distributions' }).click();
    await page.getByRole('link', { name: 'Console spring codes' }).waitFor();
    await page.getByText('3 sent').waitFor();
    await c.screenshot('distributions-list');
    await page.getByRole('link', { name: 'Campaigns' }).click();
    await page.getByTestId('pool-use').filter({ hasText: '3 / 10 used' }).waitFor();
    // The customer's page lists the message and the code it carried.
    const ann = bodies.find((b) => b.customer.source_id === 'console-ann')!;
    await page.goto('/customers/console-ann');
    await page
      .getByRole('table', { name: 'Messages received' })
      .getByText(ann.variables.voucher.code)
      .first()
      .waitFor();
    await page.getByText(ann.variables.voucher.code).first().waitFor();
    // Each message names its distribution, from the same answer (no call per row).
    await page
      .getByRole('table', { name: 'Messages received' })
      .getByRole('link', { name: 'Console spring codes' })
      .waitFor();
    const received = (await (
      await fetch(`${h.sdk.url}/v1/customers/console-ann/messages`, { headers: h.t.auth })
    ).json()) as { data: Array<Record<string, unknown>> };
    expect(received.data[0]).toMatchObject({
      distribution_name: 'Console spring codes',
      voucher_code: ann.variables.voucher.code,
    });
    await c.screenshot('customer-with-message');
    expect(c.problems).toEqual([]);
  }, 120_000);

  it('cancelling during the countdown sends nothing', async () => {
    const { page } = c;
    await runWizard({ name: 'Console cancelled', hookPath: 'cancelled', grace: 5 });
    await page.getByRole('button', { name: 'Save and send' }).click();
    await page.getByTestId('countdown').waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel distribution' }).click();
    await page.locator('[data-status="cancelled"]').first().waitFor();
    await c.screenshot('distribution-cancelled');
    // Past the grace period: still nothing.
    await new Promise((r) => setTimeout(r, 7000));
    expect(webhook.all.filter((r) => r.path === '/hook/cancelled')).toHaveLength(0);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    expect(await h.t.ctx.models.Distribution.findById(id).lean()).toMatchObject({ status: 'cancelled' });
    expect(await h.t.ctx.models.DistributionMessage.countDocuments({ distribution_id: id })).toBe(0);
  }, 90_000);

  it('edits a distribution during its grace period, then sends it now', async () => {
    const { page } = c;
    await runWizard({ name: 'Console to edit', hookPath: 'edited', grace: 600 });
    await page.getByRole('button', { name: 'Save and send' }).click();
    await page
      .getByTestId('countdown')
      .filter({ hasText: /Sends in (9|10) min/ })
      .waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit Console to edit' }).waitFor();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Console edited');
    await next(page);
    await next(page);
    await expect(page.getByRole('textbox', { name: 'Webhook URL' }).inputValue()).resolves.toBe(
      `${webhook.url}/edited`,
    );
    await page.getByRole('textbox', { name: 'Message (text)' }).fill('Edited: {{ voucher.code }}');
    await next(page);
    await c.screenshot('wizard-edit-summary');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Console edited' }).waitFor();
    await page.locator('[data-status="scheduled"]').first().waitFor();
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.locator('[data-status="completed"]').first().waitFor({ timeout: 30_000 });
    const edited = webhook.requests.filter((r) => r.path === '/hook/edited');
    expect(edited).toHaveLength(3);
    for (const r of edited) expect((r.body as { text: string }).text).toMatch(/^Edited: VIP-/);
  }, 90_000);

  it("shows the API's field errors on the step that holds each field", async () => {
    const { page } = c;
    await runWizard({ name: '', hookPath: 'invalid', grace: 5 });
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
    // An email channel's preview renders in an iframe sandboxed with no permissions.
    await page.getByRole('checkbox', { name: 'Email (built-in)' }).check();
    const frame = page.locator('iframe[title="email preview"]');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await page.frameLocator('iframe[title="email preview"]').getByText('your code is').textContent()).toContain(
      'SAMPLE-CODE',
    );
    await page.getByRole('checkbox', { name: 'Email (built-in)' }).uncheck();
    await next(page);
    await page.getByRole('button', { name: 'Save and send' }).click();
    const channels = page.getByTestId('step-3-errors');
    await channels.getByText(/channels\.0\.template\.text/).waitFor();
    await page.getByRole('textbox', { name: 'Message (text)' }).and(page.locator('[aria-invalid="true"]')).waitFor();
    await c.screenshot('wizard-field-error-channels');
    expect(await h.t.ctx.models.Distribution.countDocuments({ name: 'Console invalid' })).toBe(0);
  }, 90_000);

  it('an automatic order_paid distribution activated in the console fires when an order is paid through the API, and pauses', async () => {
    const { page } = c;
    await runWizard({
      name: 'Console thanks for paying',
      hookPath: 'paid',
      trigger: /Order has been paid/,
      body: 'Thanks, {{ customer.name }}',
    });
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.getByRole('heading', { name: 'Console thanks for paying' }).waitFor();
    await page.locator('[data-status="active"]').first().waitFor();
    const before = webhook.requests.length;
    const res = await fetch(`${h.sdk.url}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.t.auth },
      body: JSON.stringify({ source_id: 'console-order-1', customer: 'console-bob', amount: 2500, status: 'PAID' }),
    });
    expect(res.status).toBe(200);
    await webhook.waitFor(before + 1, 30_000);
    const paid = webhook.requests.filter((r) => r.path === '/hook/paid');
    expect(paid).toHaveLength(1);
    expect((paid[0]!.body as { text: string }).text).toBe('Thanks, BOB');
    await page.getByTestId('sent-webhook').filter({ hasText: '1' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-status="paused"]').first().waitFor();
    // One recipient reads as one, not "1 recipients".
    await page.getByText(/^1 recipient · 1 sent · 0 skipped · 0 failed$/).waitFor();
    await c.screenshot('distribution-automatic');
    expect(c.problems).toEqual([]);
  }, 90_000);
});
