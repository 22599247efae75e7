import type { DistributionSettings } from '../../src/distributions/settings';
import { codeImageUrl, unsubscribeUrl } from '../../src/templates/signed-links';
import { startFakeSmtp, type FakeSmtp } from '../helpers/fake-smtp';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { everyBlock } from '../helpers/template-blocks';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('public links', () => {
  let smtp: FakeSmtp;
  // Filled before the harness's beforeAll reads it.
  const settings: Partial<DistributionSettings> = { gracePeriodSeconds: 0 };
  beforeAll(async () => {
    smtp = await startFakeSmtp();
    settings.mail = { smtpUrl: smtp.url, from: 'promo@example.com', outboxDir: '/nonexistent' };
  });
  afterAll(async () => {
    await smtp?.close();
  });
  const h = useServiceHarness('publinks', { settings });
  const links = () => ({ publicUrl: h.sdk.url, signingKey: h.t.ctx.settings.linkSigningKey });
  let customerId: string;

  beforeAll(async () => {
    h.t.ctx.settings.publicUrl = h.sdk.url;
    customerId = (await h.sdk.createCustomer({ source_id: 'pub-bo', name: 'Bo', email: 'bo@example.com' })).id;
  });

  it.each(['qr', 'barcode'] as const)(
    'serves a signed %s image as a cacheable PNG without credentials',
    async (kind) => {
      const res = await fetch(codeImageUrl(links(), 'SPRING-42', kind));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
      // Webmail on another origin embeds it: helmet's same-origin resource policy is lifted here only.
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(body.length).toBeGreaterThan(200);
    },
  );

  it("answers 403 to a missing, wrong or other code's signature, revealing nothing", async () => {
    const good = new URL(codeImageUrl(links(), 'SPRING-42', 'qr'));
    const other = `${h.sdk.url}/public/codes/SPRING-43/qr.png${good.search}`;
    for (const url of [
      `${h.sdk.url}/public/codes/SPRING-42/qr.png`,
      `${h.sdk.url}/public/codes/SPRING-42/barcode.png?sig=${'A'.repeat(32)}`,
      other,
    ]) {
      const res = await fetch(url);
      expect(res.status).toBe(403);
      const text = await res.text();
      expect(text).not.toContain(h.t.ctx.settings.linkSigningKey);
      expect(text).not.toContain(good.searchParams.get('sig')!);
    }
  });

  it('answers GET (and HEAD) of a signed unsubscribe link with a confirmation page, changing nothing', async () => {
    const url = unsubscribeUrl(links(), customerId, 'email');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await res.text();
    expect(html).toContain('Unsubscribe?');
    // The button posts back to the same signed URL (query and all), HTML-escaped.
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    expect(`${h.sdk.url}${action}`).toBe(url);
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
    expect((await h.t.ctx.models.Customer.findById(customerId).lean())?.unsubscribed_channels ?? []).toEqual([]);
    expect(await h.t.ctx.models.DomainEvent.countDocuments({ type: 'customer.unsubscribed' })).toBe(0);
  });

  it('records the opt-out on POST (the confirmation button or RFC 8058 one-click) and answers a page', async () => {
    const res = await fetch(unsubscribeUrl(links(), customerId, 'email'), {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('You are unsubscribed');
    const customer = await h.t.ctx.models.Customer.findById(customerId).lean();
    expect(customer?.unsubscribed_channels).toEqual(['email']);
    const events = await h.t.ctx.models.DomainEvent.find({ type: 'customer.unsubscribed' }).lean();
    expect(events).toHaveLength(1);
    // Clicking again (or a mail client's one-click POST) changes nothing more.
    expect(
      (
        await fetch(unsubscribeUrl(links(), customerId, 'email'), {
          method: 'POST',
          body: 'List-Unsubscribe=One-Click',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(200);
    expect(await h.t.ctx.models.DomainEvent.countDocuments({ type: 'customer.unsubscribed' })).toBe(1);
  });

  it('refuses an unsubscribe link with a forged signature or another channel, changing nothing', async () => {
    const url = new URL(unsubscribeUrl(links(), customerId, 'sms'));
    url.searchParams.set('ch', 'all');
    expect((await fetch(url)).status).toBe(403);
    url.searchParams.delete('sig');
    expect((await fetch(url, { method: 'POST' })).status).toBe(403);
    const customer = await h.t.ctx.models.Customer.findById(customerId).lean();
    expect(customer?.unsubscribed_channels).not.toContain('all');
    expect(customer?.unsubscribed_channels).not.toContain('sms');
  });

  it('accepts links signed with LINK_SIGNING_SECRET_PREVIOUS during a rotation, and only then', async () => {
    const old = { publicUrl: h.sdk.url, signingKey: 'the-secret-being-rotated-out-0123456789' };
    const oldLink = codeImageUrl(old, 'ROTATE-1', 'qr');
    expect((await fetch(oldLink)).status).toBe(403);
    h.t.ctx.settings.linkSigningPreviousKey = old.signingKey;
    try {
      expect((await fetch(oldLink)).status).toBe(200);
      expect((await fetch(codeImageUrl(links(), 'ROTATE-1', 'qr'))).status).toBe(200);
      expect((await fetch(unsubscribeUrl(old, customerId, 'sms'))).status).toBe(200);
    } finally {
      delete h.t.ctx.settings.linkSigningPreviousKey;
    }
    expect((await fetch(oldLink)).status).toBe(403);
  });

  it('sends an email whose QR image and unsubscribe link work', async () => {
    const dee = await h.sdk.createCustomer({ source_id: 'pub-dee', name: 'Dee', email: 'dee@example.com' });
    const campaign = await createCampaign(h.sdk, {
      name: 'Public link codes',
      type: 'AUTO_UPDATE',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const res = await fetch(`${h.sdk.url}/v1/distributions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.t.auth },
      body: JSON.stringify({
        name: 'QR mail',
        trigger: { type: 'manual' },
        purpose: { type: 'unique_code', campaign_id: campaign.id },
        audience: { type: 'customer', customer_id: dee.id },
        consents: { verification: false },
        grace_period_seconds: 0,
        channels: [{ type: 'email', template: { subject: 'Your code, {{ customer.name }}', blocks: everyBlock } }],
      }),
    });
    expect(res.status).toBe(200);
    const [mail] = await smtp.waitFor(1, 30_000);
    const code = (await h.t.ctx.models.Voucher.findOne({ campaign_id: campaign.id, holder_id: dee.id }).lean())!.code;
    expect(mail!.subject).toBe('Your code, Dee');
    expect(mail!.html).toContain(code);
    expect(mail!.text).toContain(`your code is ${code}`);

    const qrUrl = /src="([^"]*\/qr\.png\?sig=[^"]*)"/.exec(mail!.html)![1]!.replace(/&amp;/g, '&');
    const qr = await fetch(qrUrl);
    expect(qr.status).toBe(200);
    expect(
      Buffer.from(await qr.arrayBuffer())
        .subarray(0, 8)
        .equals(PNG_SIGNATURE),
    ).toBe(true);

    const unsubscribe = /href="([^"]*\/public\/unsubscribe\?[^"]*)"/.exec(mail!.html)![1]!.replace(/&amp;/g, '&');
    expect((await fetch(unsubscribe)).status).toBe(200);
    expect((await fetch(unsubscribe, { method: 'POST' })).status).toBe(200);
    expect((await h.t.ctx.models.Customer.findById(dee.id).lean())?.unsubscribed_channels).toEqual(['email']);
  });
});
