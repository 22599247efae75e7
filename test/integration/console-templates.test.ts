import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { channelInput } from '../../src/distributions/distribution-input';
import type { DistributionSettings } from '../../src/distributions/settings';
import { launchChromium, openConsole, signIn, type ConsolePage } from '../helpers/console-browser';
import { startFakeSmtp, type FakeSmtp } from '../helpers/fake-smtp';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

/** Drags with the mouse in small steps, as a person does: dnd-kit starts a drag after 4 px. */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2 + 10, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + 5, { steps: 12 });
  await page.mouse.up();
}

async function hasCount(list: Locator, n: number): Promise<void> {
  await eventually(async () => ((await list.count()) === n ? true : undefined), 10_000, `${n} blocks`);
}

/** Clicks an option of a Mantine SegmentedControl (its radio inputs are hidden behind their labels). */
async function segment(page: Page, label: string): Promise<void> {
  await page
    .locator('label')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .click();
}

function previewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[title="Email preview"]');
}

async function pickPreviewCustomer(page: Page, term: string, option: RegExp): Promise<void> {
  await page.getByRole('combobox', { name: 'Preview for customer' }).fill(term);
  await page.getByRole('option', { name: option }).click();
}

/**
 * `template_id` on a distribution's channel is branch i21's API part, built alongside this console
 * work: until it is in the channel schema, the test that sends a saved template cannot run, and
 * says so instead of passing.
 */
const TEMPLATE_ID_ACCEPTED = 'template_id' in channelInput.shape;
/** The other i21 routes the editor calls, as the agreed shapes name them (coord session 7). */
const templatesRouter = ['templates', 'template-tests', 'template-images']
  .map((r) => fs.readFileSync(path.resolve(__dirname, `../../src/api/${r}/router.ts`), 'utf8'))
  .join('\n');
const ROUTES = {
  variables: templatesRouter.includes("'/variables'"),
  images: templatesRouter.includes("'/images'"),
  testSend: templatesRouter.includes("'/:id/test'"),
};
const itWhen = (ready: boolean, what: string) => {
  if (!ready)
    console.warn(`console-templates: skipping "${what}": its API route is not on this branch yet (issue 21, API part)`);
  return ready ? it : it.skip;
};

describe('the message editor in headless Chromium: Simple and Designer emails, saved, previewed', () => {
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-console-tpl-'));
  let smtp: FakeSmtp;
  const settings: Partial<DistributionSettings> = { gracePeriodSeconds: 1 };
  beforeAll(async () => {
    smtp = await startFakeSmtp();
    settings.mail = { smtpUrl: smtp.url, from: 'promo@example.com', outboxDir };
  });
  const h = useServiceHarness('consoletpl', { settings });
  let browser: Browser;
  let c: ConsolePage;

  beforeAll(async () => {
    // Code images (QR, barcode) are served by this service: the preview loads them from its own origin.
    h.t.ctx.settings.publicUrl = h.sdk.url;
    await h.sdk.createCustomer({ source_id: 'tpl-ann', name: 'ANN', email: 'ann@example.com' });
    browser = await launchChromium();
    c = await openConsole(browser, h.sdk.url, { width: 1440, height: 1000 });
    await signIn(c.page, h.t.auth);
  }, 180_000);
  afterEach(async () => {
    if (c?.problems.length) console.log(c.problems.join('\n'));
    await c?.screenshot('last');
  });
  afterAll(async () => {
    await c?.context.close();
    await browser?.close();
    await smtp?.close();
    fs.rmSync(outboxDir, { recursive: true, force: true });
  });

  it('builds an email in Simple mode: adds blocks, reorders them by drag and drop, edits the text, saves and previews it', async () => {
    const { page } = c;
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('textbox', { name: 'Template name' }).fill('Spring email');
    // The starter email: two text blocks and a footer with the unsubscribe link.
    const blocks = page.getByRole('group', { name: /block \d+$/ });
    await hasCount(blocks, 3);

    await page.getByRole('button', { name: 'Add block' }).click();
    await page.getByRole('menuitem', { name: 'Button', exact: true }).click();
    await page.getByRole('button', { name: 'Add block' }).click();
    await page.getByRole('menuitem', { name: 'QR code of the code' }).click();
    await page.getByRole('button', { name: 'Add block' }).click();
    await page.getByRole('menuitem', { name: 'Divider', exact: true }).click();
    await hasCount(blocks, 6);
    await page
      .getByRole('group', { name: 'Button block 4' })
      .getByRole('textbox', { name: 'Label', exact: true })
      .fill('Redeem {{ voucher.code }}');
    await page
      .getByRole('group', { name: 'Divider block 6' })
      .getByRole('button', { name: 'Remove Divider block 6' })
      .click();
    await hasCount(blocks, 5);

    // Drag the button (4th) above the first text block.
    await drag(
      page,
      page.getByRole('button', { name: 'Drag Button block 4' }),
      page.getByRole('group', { name: 'Text block 1' }),
    );
    await page.getByRole('group', { name: 'Button block 1' }).waitFor();

    // The first text block (now 2nd): bold, then plain text with a variable.
    const text = page.getByRole('group', { name: 'Text block 2' }).getByRole('textbox', { name: 'Text' });
    await text.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Control+B');
    await page.keyboard.type('Spring sale');
    await page.keyboard.press('Control+B');
    await page.keyboard.type(' for {{ customer.name }}!');
    await page
      .getByRole('group', { name: 'Email style' })
      .getByRole('textbox', { name: 'Background', exact: true })
      .fill('#eef2ff');
    await page.getByRole('textbox', { name: 'Subject' }).fill('Spring codes for {{ customer.name }}');
    await c.screenshot('template-simple-editor');

    await page.getByRole('button', { name: 'Save template' }).click();
    await page.waitForURL(/\/templates\/tmpl_/);
    await page.getByRole('heading', { name: 'Template: Spring email' }).waitFor();
    const id = page.url().split('/').pop()!;
    const saved = await h.t.ctx.models.Template.findById(id).lean();
    expect(saved!.blocks!.map((b) => b.type)).toEqual(['button', 'text', 'text', 'footer', 'image']);
    expect(saved!.blocks![1]).toMatchObject({
      type: 'text',
      content: '<p><strong>Spring sale</strong> for {{ customer.name }}!</p>',
    });
    expect(saved!.blocks![0]).toMatchObject({ type: 'button', label: 'Redeem {{ voucher.code }}' });
    expect(saved!.blocks![4]).toMatchObject({ type: 'image', src: '{{ voucher.qr_url }}' });
    expect(saved!.style).toEqual({ background_color: '#eef2ff' });

    // Preview for a customer, with a chosen code, at both widths, with the plain-text part.
    await pickPreviewCustomer(page, 'tpl-ann', /ANN/);
    await page.getByRole('textbox', { name: 'Sample code' }).fill('SPRING-42');
    await previewFrame(page).getByText('Spring sale for ANN!').waitFor();
    await previewFrame(page).getByText('Redeem SPRING-42').waitFor();
    await page.getByTestId('preview-subject').filter({ hasText: 'Spring codes for ANN' }).waitFor();
    await page.getByTestId('preview-text').filter({ hasText: 'Spring sale for ANN!' }).waitFor();
    const qr = previewFrame(page).getByRole('img', { name: 'QR code of your code' });
    await eventually(
      async () =>
        (await qr.evaluate((img) => {
          const i = img as unknown as { complete: boolean; naturalWidth: number };
          return i.complete && i.naturalWidth > 0;
        }))
          ? true
          : undefined,
      10_000,
      'QR image loaded',
    );
    await c.screenshot('template-simple-preview-desktop');
    await segment(page, 'Mobile');
    expect(
      await page.locator('iframe[title="Email preview"]').evaluate((f) => f.getBoundingClientRect().width),
    ).toBeLessThanOrEqual(376);
    await c.screenshot('template-simple-preview-mobile');

    // The library lists it.
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('table', { name: 'Templates' }).getByRole('link', { name: 'Spring email' }).waitFor();
    await page.getByRole('button', { name: 'Duplicate Spring email' }).click();
    await page.getByRole('table', { name: 'Templates' }).getByRole('link', { name: 'Spring email (copy)' }).waitFor();
    const copy = await h.t.ctx.models.Template.findOne({ name: 'Spring email (copy)' }).lean();
    expect(copy!.blocks).toEqual(saved!.blocks);
    await page.getByRole('button', { name: 'Delete Spring email (copy)' }).click();
    await page
      .getByRole('table', { name: 'Templates' })
      .getByRole('link', { name: 'Spring email (copy)' })
      .waitFor({ state: 'detached' });
    await c.screenshot('templates-library');
    expect(c.problems).toEqual([]);
  }, 120_000);

  it('designs an email in Designer mode from converted blocks, edits it in the canvas, saves MJML that passes validation, previews it', async () => {
    const { page } = c;
    await page.goto('/templates/new');
    await page.getByRole('textbox', { name: 'Template name' }).fill('Designer email');
    await segment(page, 'Designer');
    const canvas = page.frameLocator('.gjs-frame');
    // The starter blocks, converted to MJML by the server, are in the designer's canvas.
    await canvas.getByText('your code is', { exact: false }).waitFor({ timeout: 30_000 });
    // Edit a text in the canvas with the designer's own text editor.
    await canvas.getByText('Hi {{').dblclick();
    await page.keyboard.press('End');
    await page.keyboard.type(' Enjoy spring!');
    await canvas.locator('body').click({ position: { x: 5, y: 400 } });
    await canvas.getByText('Enjoy spring!', { exact: false }).waitFor();
    await c.screenshot('template-designer');

    await page.getByRole('button', { name: 'Save template' }).click();
    await page.waitForURL(/\/templates\/tmpl_/);
    await page.getByRole('heading', { name: 'Template: Designer email' }).waitFor();
    const saved = await h.t.ctx.models.Template.findById(page.url().split('/').pop()!).lean();
    expect(saved!.mjml).toMatch(
      /<mj-text><p>Hi \{\{ customer.name \| default: "there" \}\}, Enjoy spring!<\/p><\/mj-text>/,
    );
    expect(saved!.mjml).toContain('{{ voucher.code }}');
    expect(saved!.blocks).toBeUndefined();

    await pickPreviewCustomer(page, 'tpl-ann', /ANN/);
    await previewFrame(page).getByText('SAMPLE-CODE').waitFor();
    await previewFrame(page).getByText('Hi ANN, Enjoy spring!').waitFor();
    await c.screenshot('template-designer-preview');

    // Code mode: the same MJML as source; a broken tag is refused at its line.
    await segment(page, 'Code');
    const source = page.getByRole('group', { name: 'MJML source' }).locator('.cm-content');
    await source.waitFor();
    await source.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n<mj-nonsense>');
    await page.getByRole('button', { name: 'Save template' }).click();
    const problem = page.getByTestId('source-problem').first();
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/^Line \d+:/);
    await page.locator('.cm-lintRange-error').first().waitFor();
    await c.screenshot('template-code-error');
    const unchanged = await h.t.ctx.models.Template.findById(saved!._id).lean();
    expect(unchanged!.mjml).toBe(saved!.mjml);
    expect(c.problems).toEqual([]);
  }, 120_000);

  itWhen(TEMPLATE_ID_ACCEPTED, 'distribution by template_id')(
    'sends the saved Simple template by template_id from the wizard, and the mail arrives with its blocks and the code',
    async () => {
      const { page } = c;
      const campaign = await createCampaign(h.sdk, {
        name: 'Template codes',
        vouchers_count: 3,
        type: 'STATIC',
        voucher: {
          type: 'DISCOUNT_VOUCHER',
          discount: { type: 'PERCENT', percent_off: 10 },
          code_config: { pattern: 'TPL-####' },
        },
      });
      await page.getByRole('link', { name: 'Distributions' }).click();
      await page.getByRole('link', { name: 'New distribution' }).click();
      await page.getByRole('radio', { name: /^Manual/ }).check();
      await page.getByRole('button', { name: 'Next', exact: true }).click();
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Spring by template');
      await page.getByRole('radio', { name: /unique codes/ }).check();
      await page.getByRole('combobox', { name: 'Campaign', exact: true }).click();
      await page
        .getByRole('option', { name: /Template codes/ })
        .first()
        .click();
      await page.getByRole('radio', { name: 'A single customer' }).check();
      await page.getByRole('combobox', { name: 'Customer', exact: true }).fill('tpl-ann');
      await page.getByRole('option', { name: /ANN/ }).click();
      await page.getByRole('textbox', { name: 'Grace period (seconds)' }).fill('0');
      await page.getByRole('button', { name: 'Next', exact: true }).click();
      await page.getByRole('button', { name: 'Next', exact: true }).click();
      await page.getByRole('checkbox', { name: 'Email (built-in)' }).check();
      await page.getByRole('combobox', { name: 'Saved template' }).click();
      await page.getByRole('option', { name: 'Spring email', exact: true }).click();
      await expect(page.getByRole('textbox', { name: 'Body (HTML)' }).count()).resolves.toBe(0);
      await c.screenshot('wizard-saved-template');
      await page.getByRole('button', { name: 'Next', exact: true }).click();
      const before = smtp.messages.length;
      await page.getByRole('button', { name: 'Save and send' }).click();
      const [mail] = (await smtp.waitFor(before + 1, 60_000)).slice(before);
      const dist = await h.t.ctx.models.Distribution.findOne({ name: 'Spring by template' }).lean();
      expect(JSON.stringify(dist!.channels[0])).toContain('template_id');
      const voucher = await h.t.ctx.models.Voucher.findOne({
        campaign_id: campaign.id,
        published_at: { $exists: true },
      }).lean();
      expect(mail!.to).toEqual(['ann@example.com']);
      expect(mail!.subject).toBe('Spring codes for ANN');
      // The blocks in their dragged order: the button (with the code) before the edited text, the QR image, the footer's link.
      expect(mail!.html.indexOf(`Redeem ${voucher!.code}`)).toBeGreaterThan(-1);
      expect(mail!.html.indexOf(`Redeem ${voucher!.code}`)).toBeLessThan(mail!.html.indexOf('Spring sale'));
      expect(mail!.html).toContain('<strong>Spring sale</strong> for ANN!');
      expect(mail!.html).toContain('alt="QR code of your code"');
      expect(mail!.html).toContain('Unsubscribe');
      expect(c.problems).toEqual([]);
    },
    120_000,
  );

  itWhen(ROUTES.variables, 'variable picker')(
    'inserts a variable from GET /v1/templates/variables at the cursor, with its description',
    async () => {
      const { page } = c;
      await page.goto('/templates/new');
      const subject = page.getByRole('textbox', { name: 'Subject' });
      await subject.fill('Hello ');
      await subject.press('End');
      await page.getByRole('button', { name: 'Insert variable' }).first().click();
      await page.getByRole('menuitem', { name: 'voucher.code', exact: true }).click();
      expect(await subject.inputValue()).toBe('Hello {{ voucher.code }}');
      expect(c.problems).toEqual([]);
    },
    60_000,
  );

  itWhen(ROUTES.images, 'image upload')(
    'uploads a picture from an image block (POST /v1/templates/images) and previews it from /public',
    async () => {
      const { page } = c;
      await page.goto('/templates/new');
      await page.getByRole('button', { name: 'Add block' }).click();
      await page.getByRole('menuitem', { name: 'Image', exact: true }).click();
      const block = page.getByRole('group', { name: 'Image block 4' });
      const png = await QRCode.toBuffer('upload me', { type: 'png' });
      const chooser = page.waitForEvent('filechooser');
      await block.getByRole('button', { name: 'Upload image' }).click();
      await (await chooser).setFiles({ name: 'picture.png', mimeType: 'image/png', buffer: png });
      const url = block.getByRole('textbox', { name: 'Image URL' });
      await eventually(
        async () => ((await url.inputValue()).includes('/public/images/') ? true : undefined),
        15_000,
        'uploaded image URL',
      );
      const res = await fetch(await url.inputValue());
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
      expect(c.problems).toEqual([]);
    },
    60_000,
  );

  itWhen(ROUTES.testSend, 'send test')(
    'sends a test of the saved template to one address through the built-in email channel',
    async () => {
      const { page } = c;
      const saved = await h.t.ctx.models.Template.findOne({ name: 'Spring email' }).lean();
      await page.goto(`/templates/${saved!._id}`);
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByRole('textbox', { name: 'Email address' }).fill('tester@example.com');
      const before = smtp.messages.length;
      await page.getByRole('dialog').getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'tester@example.com' }).waitFor({ timeout: 30_000 });
      const [mail] = (await smtp.waitFor(before + 1, 30_000)).slice(before);
      expect(mail!.to).toEqual(['tester@example.com']);
      expect(mail!.html).toContain('Spring sale');
      expect(c.problems).toEqual([]);
    },
    60_000,
  );
});
