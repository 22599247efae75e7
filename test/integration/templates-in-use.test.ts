import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { DistributionSettings } from '../../src/distributions/settings';
import { createApp } from '../../src/http/app';
import { qrPng } from '../../src/templates/code-images';
import { openApiValidator, startFakeProvider, type FakeProvider } from '../helpers/fake-provider';
import { startFakeSmtp, type FakeSmtp } from '../helpers/fake-smtp';
import { loadOpenApi } from '../helpers/openapi-validator';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Saved templates in use: distributions naming `template_id` (checked on save, pinned when
 * sending starts), where each template is used, deleting one in use, the variables route,
 * test sends received on a real SMTP server, and image uploads into the service's store.
 */
describe('saved templates in distributions, test sends and image uploads', () => {
  const webhookSecret = 'whsec_templates_in_use';
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-tmpl-use-'));
  let smtp: FakeSmtp;
  let hook: FakeWebhook;
  let sendgrid: FakeProvider;
  // Filled before the harness's beforeAll reads it.
  const settings: Partial<DistributionSettings> = { gracePeriodSeconds: 600, webhookSecret };
  beforeAll(async () => {
    smtp = await startFakeSmtp();
    hook = await startFakeWebhook(webhookSecret);
    const spec = await loadOpenApi(
      path.resolve(__dirname, '../fixtures/provider-specs/sendgrid/sendgrid_mail_v3.openapi.json'),
    );
    const check = openApiValidator(spec);
    sendgrid = await startFakeProvider({
      validate: (r) => (r.path === '/v3/scopes' ? [] : check(r)),
      defaultResponse: { status: 202, headers: { 'X-Message-Id': 'sg-test-send' } },
    });
    settings.mail = { smtpUrl: smtp.url, from: 'promo@example.com', outboxDir };
    settings.providerBaseUrls = { sendgrid: sendgrid.url };
  });
  afterAll(async () => {
    await sendgrid?.close();
    await hook?.close();
    await smtp?.close();
    fs.rmSync(outboxDir, { recursive: true, force: true });
  });
  const h = useServiceHarness('tmpl_use', { settings });
  let customerId: string;

  async function api(method: string, p: string, body?: unknown, auth = true): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${h.sdk.url}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? h.t.auth : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
    };
  }

  beforeAll(async () => {
    h.t.ctx.settings.publicUrl = h.sdk.url;
    customerId = (
      await h.sdk.createCustomer({ source_id: 'tmpl-use-ada', name: 'Ada Lovelace', email: 'ada@example.com' })
    ).id;
  });

  const saveTemplate = async (body: Record<string, unknown>) => {
    const r = await api('POST', '/v1/templates', body);
    expect(r.status).toBe(200);
    return r.body.id as string;
  };
  const emailTemplate = (subject: string) =>
    saveTemplate({ name: subject, channel_type: 'email', subject, html: '<p>Hi {{ customer.name }}</p>' });
  const manual = (channels: unknown[], grace = 600) => ({
    name: `Manual ${Math.random()}`,
    trigger: { type: 'manual' },
    purpose: { type: 'plain' },
    audience: { type: 'customer', customer_id: customerId },
    consents: { verification: false },
    channels,
    grace_period_seconds: grace,
  });
  const distribution = async (id: string) => (await api('GET', `/v1/distributions/${id}`)).body;
  const reaches = (id: string, status: string) =>
    eventually(
      async () => ((await distribution(id)).status === status ? distribution(id) : undefined),
      60_000,
      `${id} ${status}`,
    );
  const mailWith = (subject: string) =>
    eventually(async () => smtp.messages.find((m) => m.subject === subject), 30_000, `mail "${subject}"`);

  it('refuses a template_id that is unknown, for another channel type, with a variable out of scope, or beside a template, storing nothing', async () => {
    const sms = await saveTemplate({ name: 'SMS', channel_type: 'sms', text: 'Hi {{ customer.name }}' });
    const withCode = await saveTemplate({
      name: 'With code',
      channel_type: 'email',
      subject: 'Code',
      html: '<p>{{ voucher.code }}</p>',
    });
    const ok = await emailTemplate('Fine');
    const before = await h.t.ctx.models.Distribution.countDocuments();

    const cases: Array<[unknown, string, RegExp]> = [
      [{ type: 'email', template_id: 'tmpl_nope' }, 'channels.0.template_id', /template tmpl_nope not found/],
      [
        { type: 'email', template_id: sms },
        'channels.0.template_id',
        /is a sms template: a email channel cannot send it/,
      ],
      [
        { type: 'email', template_id: withCode },
        'channels.0.template_id',
        /variable "voucher\.code": voucher\.\* has no value in a manual plain distribution/,
      ],
      [{ type: 'email', template_id: ok, template: { subject: 's', html: 'x' } }, 'channels.0.template_id', /not both/],
      [{ type: 'email' }, 'channels.0.template', /give a template, or the template_id/],
    ];
    for (const [channel, field, reason] of cases) {
      const r = await api('POST', '/v1/distributions', manual([channel]));
      expect(r.status).toBe(400);
      expect(r.body.key).toBe('invalid_distribution');
      expect(r.body.errors).toEqual([expect.objectContaining({ field, reason: expect.stringMatching(reason) })]);
    }
    expect(await h.t.ctx.models.Distribution.countDocuments()).toBe(before);
  });

  it('sends what a grace-period edit of the template made, pinning that version when sending starts', async () => {
    const id = await emailTemplate('Grace v1');
    const created = await api('POST', '/v1/distributions', manual([{ type: 'email', template_id: id }]));
    expect(created.status).toBe(200);
    expect(created.body.channels[0]).toMatchObject({
      template_id: id,
      template_version: 1,
      template: { subject: 'Grace v1' },
    });
    await reaches(created.body.id, 'scheduled');

    expect((await api('PUT', `/v1/templates/${id}`, { subject: 'Grace v2' })).body.version).toBe(2);
    expect((await api('POST', `/v1/distributions/${created.body.id}/send_now`)).status).toBeLessThan(300);
    const mail = await mailWith('Grace v2');
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.html).toContain('Hi Ada Lovelace');
    const done = await reaches(created.body.id, 'completed');
    expect(done.channels[0]).toMatchObject({ template_id: id, template_version: 2, template: { subject: 'Grace v2' } });
    expect(smtp.messages.some((m) => m.subject === 'Grace v1')).toBe(false);
  });

  it('never lets a template edit made after sending started reach the send in progress', async () => {
    const id = await emailTemplate('Pinned v1');
    const suffix = `slow-${Date.now()}`;
    // The webhook channel goes first and answers slowly, so the email is rendered well after the edit below.
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 200, delayMs: 2_000 } : undefined));
    try {
      const created = await api(
        'POST',
        '/v1/distributions',
        manual(
          [
            { type: 'webhook', settings: { url: `${hook.url}/${suffix}` }, template: { text: 'first' } },
            { type: 'email', template_id: id },
          ],
          0,
        ),
      );
      expect(created.status).toBe(200);
      await eventually(
        async () => (hook.all.some((r) => r.path === `/hook/${suffix}`) ? true : undefined),
        30_000,
        'the slow webhook',
      );
      expect((await distribution(created.body.id)).status).toBe('sending');
      expect((await api('PUT', `/v1/templates/${id}`, { subject: 'Pinned v2' })).status).toBe(200);

      const mail = await mailWith('Pinned v1');
      expect(mail.html).toContain('Hi Ada Lovelace');
      const done = await reaches(created.body.id, 'completed');
      expect(done.channels[1]).toMatchObject({ template_version: 1, template: { subject: 'Pinned v1' } });
      expect(smtp.messages.some((m) => m.subject === 'Pinned v2')).toBe(false);
    } finally {
      hook.respond(undefined);
    }
  });

  it('re-pins an automatic distribution on PUT only, and refuses a template edit it could not send', async () => {
    const id = await saveTemplate({
      name: 'Order mail',
      channel_type: 'email',
      subject: 'Order v1',
      html: '<p>Thanks {{ customer.name }}</p>',
    });
    const created = await api('POST', '/v1/distributions', {
      name: 'Paid orders',
      trigger: { type: 'order_paid' },
      purpose: { type: 'plain' },
      channels: [{ type: 'email', template_id: id }],
    });
    expect(created.status).toBe(200);
    await api('PUT', `/v1/templates/${id}`, { subject: 'Order v2 {{ order.id }}' });
    expect((await distribution(created.body.id)).channels[0]).toMatchObject({
      template_version: 1,
      template: { subject: 'Order v1' },
    });
    const edited = await api('PUT', `/v1/distributions/${created.body.id}`, { name: 'Paid orders (new copy)' });
    expect(edited.status).toBe(200);
    expect(edited.body.channels[0]).toMatchObject({
      template_id: id,
      template_version: 2,
      template: { subject: 'Order v2 {{ order.id }}' },
    });

    // voucher.* has no value in a plain order_paid distribution: the template edit is refused, naming it.
    const refused = await api('PUT', `/v1/templates/${id}`, { html: '<p>{{ voucher.code }}</p>' });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toContain(`distribution ${created.body.id}`);
    expect((await api('GET', `/v1/templates/${id}`)).body).toMatchObject({
      version: 2,
      html: '<p>Thanks {{ customer.name }}</p>',
    });
    await api('POST', `/v1/distributions/${created.body.id}/cancel`);
  });

  it('lists where each template is used, and refuses to delete one a live distribution uses until it is final', async () => {
    const id = await emailTemplate('In use');
    const created = await api('POST', '/v1/distributions', manual([{ type: 'email', template_id: id }]));
    await reaches(created.body.id, 'scheduled');
    const shown = await api('GET', `/v1/templates/${id}`);
    expect(shown.body.used_by).toEqual([
      { distribution_id: created.body.id, name: created.body.name, status: 'scheduled' },
    ]);
    const listed = (await api('GET', '/v1/templates?limit=100')).body.data.find((t: Json) => t.id === id);
    expect(listed.used_by).toEqual(shown.body.used_by);

    const refused = await api('DELETE', `/v1/templates/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ key: 'template_in_use', details: expect.stringContaining(created.body.id) });
    expect((await api('GET', `/v1/templates/${id}`)).status).toBe(200);

    expect((await api('POST', `/v1/distributions/${created.body.id}/cancel`)).status).toBeLessThan(300);
    await reaches(created.body.id, 'cancelled');
    expect((await api('DELETE', `/v1/templates/${id}`)).status).toBe(204);
    expect((await api('GET', `/v1/templates/${id}`)).status).toBe(404);
  });

  it('lists every variable with its description, example, purposes and triggers', async () => {
    const r = await api('GET', '/v1/templates/variables');
    expect(r.status).toBe(200);
    expect(r.body.object).toBe('list');
    const byName = new Map(r.body.data.map((v: Json) => [v.name, v]));
    expect(byName.get('customer.name')).toEqual({
      name: 'customer.name',
      description: expect.any(String),
      example: 'Ada Lovelace',
      purposes: [],
      triggers: [],
    });
    expect(byName.get('voucher.qr_url')).toMatchObject({
      purposes: ['unique_code'],
      triggers: expect.arrayContaining(['voucher_published']),
    });
    expect(byName.get('order.total_amount')).toMatchObject({
      purposes: [],
      triggers: expect.arrayContaining(['order_paid']),
    });
    expect(byName.has('customer.metadata.<key>')).toBe(true);
    expect((await api('GET', '/v1/templates/variables', undefined, false)).status).toBe(401);
  });

  it('sends a test of a saved or unsaved template to one address on the SMTP server, recorded apart from every report, publishing nothing', async () => {
    const { models } = h.t.ctx;
    const id = await saveTemplate({
      name: 'Test me',
      channel_type: 'email',
      subject: 'Test for {{ customer.name }}',
      html: '<p>Your code {{ voucher.code }}</p>',
    });
    const counts = () =>
      Promise.all([
        models.DistributionMessage.countDocuments(),
        models.Publication.countDocuments(),
        models.Voucher.countDocuments({ holder_id: { $exists: true } }),
      ]);
    const before = await counts();

    const sent = await api('POST', `/v1/templates/${id}/test`, {
      to: 'marketer@example.com',
      customer_id: 'tmpl-use-ada',
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      object: 'test_message',
      id: expect.stringMatching(/^tmsg_/),
      status: 'sent',
      channel: { type: 'email', id: null },
      to: 'marketer@example.com',
      template_id: id,
      customer_id: customerId,
      voucher_code: 'SAMPLE-CODE',
    });
    const mail = await mailWith('Test for Ada Lovelace');
    expect(mail.to).toEqual(['marketer@example.com']);
    expect(mail.html).toContain('Your code SAMPLE-CODE');

    const inline = await api('POST', '/v1/templates/test', {
      template: { subject: 'Unsaved for {{ customer.name }}', html: '<p>x</p>' },
      to: 'marketer@example.com',
    });
    expect(inline.body).toMatchObject({ status: 'sent', template_id: null, customer_id: null });
    expect((await mailWith('Unsaved for Sample Customer')).to).toEqual(['marketer@example.com']);

    expect(await models.TestMessage.countDocuments({ status: 'sent' })).toBe(2);
    expect(await counts()).toEqual(before);
    const messages = await api('GET', `/v1/customers/${customerId}/messages`);
    expect(messages.body.total).toBe(await models.DistributionMessage.countDocuments({ customer_id: customerId }));
    expect(messages.body.data.map((m: Json) => m.voucher_code)).not.toContain('SAMPLE-CODE');

    // Bad input: a 4xx, nothing recorded, nothing sent.
    const mails = smtp.messages.length;
    const bad: Array<[string, unknown, number]> = [
      [`/v1/templates/${id}/test`, { to: 'not-an-address' }, 400],
      [`/v1/templates/${id}/test`, { to: 'a@example.com', channel_type: 'webhook' }, 400],
      [`/v1/templates/${id}/test`, { to: 'a@example.com', channel_type: 'twilio' }, 400],
      [`/v1/templates/${id}/test`, { to: 'a@example.com', channel_id: 'chan_nope' }, 404],
      [`/v1/templates/${id}/test`, { to: 'a@example.com', customer_id: 'cust_nobody' }, 404],
      ['/v1/templates/tmpl_nope/test', { to: 'a@example.com' }, 404],
      ['/v1/templates/test', { template: { subject: 's', html: '{{ voucher.kode }}' }, to: 'a@example.com' }, 400],
    ];
    for (const [p, body, status] of bad) expect([p, (await api('POST', p, body)).status]).toEqual([p, status]);
    expect((await api('POST', `/v1/templates/${id}/test`, { to: 'a@example.com' }, false)).status).toBe(401);
    expect(await models.TestMessage.countDocuments({ channel_type: 'email' })).toBe(2);
    expect(smtp.messages.length).toBe(mails);
  });

  it('sends a test through a provider account (SendGrid, checked against its OpenAPI) and never shows its key', async () => {
    const account = await api('POST', '/v1/channels', {
      type: 'sendgrid',
      name: 'SendGrid',
      credentials: { api_key: 'SG.test-send-secret-key' },
      settings: { from: 'promo@example.com' },
    });
    expect(account.status).toBe(200);
    const id = await saveTemplate({
      name: 'Via SendGrid',
      channel_type: 'email',
      subject: 'Via SendGrid for {{ customer.name }}',
      html: '<p>{{ voucher.code }}</p>',
    });
    const since = sendgrid.requests.length;
    const sent = await api('POST', `/v1/templates/${id}/test`, {
      to: 'marketer@example.com',
      channel_id: account.body.id,
      voucher_code: 'NOT-REAL-1',
    });
    expect(sent.body).toMatchObject({
      status: 'sent',
      channel: { type: 'sendgrid', id: account.body.id },
      provider_message_id: 'sg-test-send',
      voucher_code: 'NOT-REAL-1',
    });
    const calls = sendgrid.requests.slice(since).filter((r) => r.path === '/v3/mail/send');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.problems).toEqual([]);
    expect(JSON.stringify(calls[0]!.body)).toContain('marketer@example.com');
    expect(JSON.stringify(calls[0]!.body)).toContain('Via SendGrid for Sample Customer');
    expect(JSON.stringify(sent.body)).not.toContain('SG.test-send-secret-key');
    // A provider type needs its account, and an address of the right kind.
    expect(
      (await api('POST', `/v1/templates/${id}/test`, { to: 'marketer@example.com', channel_type: 'sendgrid' })).status,
    ).toBe(400);
    expect(
      (await api('POST', `/v1/templates/${id}/test`, { to: '+447700900123', channel_id: account.body.id })).status,
    ).toBe(400);
  });

  describe('image uploads', () => {
    const upload = (bytes: Buffer, filename: string, type: string, auth = true) => {
      const form = new FormData();
      form.append('file', new Blob([bytes], { type }), filename);
      return fetch(`${h.sdk.url}/v1/templates/images`, { method: 'POST', headers: auth ? h.t.auth : {}, body: form });
    };

    it('stores a PNG and serves it back byte for byte, with its type, long caching and nosniff, without credentials', async () => {
      const png = await qrPng('UPLOAD-ME');
      const res = await upload(png, 'qr.png', 'image/png');
      expect(res.status).toBe(201);
      const body = (await res.json()) as Json;
      expect(body).toEqual({
        id: expect.stringMatching(/^img_/),
        url: `/public/images/${body.id}`,
        content_type: 'image/png',
        size: png.length,
      });

      const served = await fetch(`${h.sdk.url}${body.url}`);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/png');
      expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
      expect((await fetch(`${h.sdk.url}/public/images/img_missing`)).status).toBe(404);
    });

    it('refuses SVG, a text file named .png, an unauthenticated upload and one over the limit, storing nothing', async () => {
      const files = () => h.t.ctx.db.collection('template_images.files').countDocuments();
      const before = await files();
      const svg = await upload(
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        'logo.svg',
        'image/svg+xml',
      );
      expect(svg.status).toBe(415);
      expect(((await svg.json()) as Json).details).toMatch(/not a PNG, JPEG, GIF or WebP image .*SVG is not accepted/);
      const renamed = await upload(Buffer.from('just some text, honestly'), 'photo.png', 'image/png');
      expect(renamed.status).toBe(415);
      expect((await upload(await qrPng('X'), 'qr.png', 'image/png', false)).status).toBe(401);

      const small = request(createApp({ ...h.t.ctx, imageMaxBytes: 1024 }));
      const big = Buffer.concat([await qrPng('BIG'), Buffer.alloc(4096)]);
      const tooBig = await small
        .post('/v1/templates/images')
        .set(h.t.auth)
        .attach('file', big, { filename: 'big.png', contentType: 'image/png' });
      expect(tooBig.status).toBe(413);
      expect(await files()).toBe(before);
    });
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = (await api('GET', '/openapi.json', undefined, false)).body;
    expect(doc.paths['/v1/templates/variables'].get).toBeDefined();
    expect(doc.paths['/v1/templates/{id}/test'].post.requestBody.content['application/json']).toBeDefined();
    expect(doc.paths['/v1/templates/test'].post).toBeDefined();
    expect(doc.paths['/v1/templates/images'].post.requestBody.content['multipart/form-data']).toBeDefined();
    expect(doc.paths['/v1/templates/images'].post.responses['415']).toBeDefined();
    expect(doc.paths['/public/images/{id}'].get.security).toBeUndefined();
  });
});
