import { createCampaign, useServiceHarness } from '../helpers/harness';
import { everyBlock, everyBlockStyle } from '../helpers/template-blocks';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('the templates API', () => {
  const h = useServiceHarness('tmplapi');
  let customerId: string;

  async function api(
    method: string,
    path: string,
    body?: unknown,
    auth = true,
  ): Promise<{ status: number; body: Json; type: string | null; text: string; headers: Headers }> {
    const res = await fetch(`${h.sdk.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? h.t.auth : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const type = res.headers.get('content-type');
    return {
      status: res.status,
      type,
      text,
      headers: res.headers,
      body: type?.includes('json') && text ? JSON.parse(text) : undefined,
    };
  }

  beforeAll(async () => {
    h.t.ctx.settings.publicUrl = h.sdk.url;
    customerId = (await h.sdk.createCustomer({ source_id: 'tmpl-ada', name: 'Ada Lovelace', email: 'ada@example.com' }))
      .id;
  });

  const mjml =
    '<mjml><mj-body><mj-section><mj-column>\n<mj-text>Hi {{ customer.name }}, your code: {{ voucher.code }}</mj-text>\n<mj-image src="{{ voucher.qr_url }}" alt="QR" />\n</mj-column></mj-section></mj-body></mjml>';

  it("converts editor blocks to the MJML they compile to (the console's Simple → Designer switch), refusing bad blocks and asking for a key", async () => {
    const blocks = [
      { type: 'text', content: 'Use <b>{{ voucher.code }}</b>' },
      { type: 'button', label: 'Go', link: 'https://example.com' },
    ];
    const ok = await api('POST', '/v1/templates/mjml', { blocks, style: { background_color: '#eef2ff' } });
    expect(ok.status).toBe(200);
    const out = ok.body as { mjml: string };
    expect(out.mjml).toMatch(/^<mjml>/);
    expect(out.mjml).toContain('<mj-text>Use <b>{{ voucher.code }}</b></mj-text>');
    expect(out.mjml).toContain('background-color="#eef2ff"');
    expect(out.mjml.indexOf('<mj-text')).toBeLessThan(out.mjml.indexOf('<mj-button'));
    const bad = await api('POST', '/v1/templates/mjml', {
      blocks: [{ type: 'button', label: 'Go', link: 'javascript:alert(1)' }],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('blocks.0.link');
    expect((await api('POST', '/v1/templates/mjml', { blocks }, false)).status).toBe(401);
  });

  it('creates, gets, lists, updates and deletes a saved template', async () => {
    const created = await api('POST', '/v1/templates', {
      name: 'Spring email',
      channel_type: 'email',
      subject: 'Your code, {{ customer.name }}',
      mjml,
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^tmpl_/),
      object: 'template',
      name: 'Spring email',
      channel_type: 'email',
      mjml,
    });
    const id = created.body.id as string;

    expect((await api('GET', `/v1/templates/${id}`)).body).toMatchObject({
      id,
      name: 'Spring email',
      subject: 'Your code, {{ customer.name }}',
    });
    await api('POST', '/v1/templates', { name: 'Spring SMS', channel_type: 'sms', text: 'Code {{ voucher.code }}' });
    const list = await api('GET', '/v1/templates?limit=10');
    expect(list.body).toMatchObject({ object: 'list', total: 2 });
    expect((await api('GET', '/v1/templates?channel_type=sms')).body.data.map((t: Json) => t.name)).toEqual([
      'Spring SMS',
    ]);

    // A new body of another kind replaces the old one.
    const updated = await api('PUT', `/v1/templates/${id}`, { blocks: everyBlock, style: everyBlockStyle });
    expect(updated.status).toBe(200);
    expect(updated.body.blocks).toHaveLength(everyBlock.length);
    expect(updated.body.mjml).toBeUndefined();
    expect(updated.body.subject).toBe('Your code, {{ customer.name }}');

    expect((await api('DELETE', `/v1/templates/${id}`)).status).toBe(204);
    expect((await api('GET', `/v1/templates/${id}`)).status).toBe(404);
  });

  it('refuses invalid templates with the field, line and reason, and stores nothing', async () => {
    const before = await h.t.ctx.models.Template.countDocuments();
    const badMjml = await api('POST', '/v1/templates', {
      name: 'x',
      channel_type: 'email',
      subject: 's',
      mjml: '<mjml><mj-body>\n<mj-section><mj-column>\n<mj-texts>x</mj-texts>\n</mj-column></mj-section></mj-body></mjml>',
    });
    expect(badMjml.status).toBe(400);
    expect(badMjml.body.errors).toEqual([{ field: 'mjml', line: 3, reason: expect.stringContaining('mj-texts') }]);

    const unknownVar = await api('POST', '/v1/templates', {
      name: 'x',
      channel_type: 'email',
      subject: 'Hi {{ customer.nmae }}',
      html: '<p>x</p>',
    });
    expect(unknownVar.status).toBe(400);
    expect(unknownVar.body.errors).toEqual([
      { field: 'subject', line: 1, reason: 'unknown variable "customer.nmae"; did you mean "customer.name"?' },
    ]);

    const badBlock = await api('POST', '/v1/templates', {
      name: 'x',
      channel_type: 'email',
      subject: 's',
      blocks: [{ type: 'button', label: 'Go', link: 'ftp://x' }],
    });
    expect(badBlock.status).toBe(400);
    expect(badBlock.body.errors).toEqual([{ field: 'blocks.0.link', reason: expect.stringContaining('http') }]);

    const smsWithMjml = await api('POST', '/v1/templates', { name: 'x', channel_type: 'sms', text: 'x', mjml });
    expect(smsWithMjml.status).toBe(400);
    expect(smsWithMjml.body.errors.map((e: Json) => e.field)).toEqual(['mjml']);

    expect((await api('POST', '/v1/templates', { channel_type: 'email' })).status).toBe(400);
    expect(await h.t.ctx.models.Template.countDocuments()).toBe(before);
  });

  it('answers 401 without credentials', async () => {
    expect((await api('GET', '/v1/templates', undefined, false)).status).toBe(401);
    expect((await api('POST', '/v1/templates', { name: 'x', channel_type: 'sms', text: 'x' }, false)).status).toBe(401);
    expect(
      (await api('POST', '/v1/templates/preview', { customer_id: 'x', template: { text: 'x' } }, false)).status,
    ).toBe(401);
  });

  it('previews a template for a customer with the sample code, writing nothing', async () => {
    const { models } = h.t.ctx;
    const counts = () =>
      Promise.all([
        models.Publication.countDocuments(),
        models.DistributionMessage.countDocuments(),
        models.DomainEvent.countDocuments(),
        models.Voucher.countDocuments({ holder_id: { $exists: true } }),
        models.Customer.findById(customerId)
          .lean()
          .then((c) => c?.version),
      ]);
    const before = await counts();

    const preview = await api('POST', '/v1/templates/preview', {
      customer_id: 'tmpl-ada',
      template: { subject: 'For {{ customer.name }}', blocks: everyBlock, style: everyBlockStyle },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.subject).toBe('For Ada Lovelace');
    expect(preview.body.html).toContain('Ada Lovelace');
    expect(preview.body.html).toContain('SAMPLE-CODE');
    expect(preview.body.html).toContain(`src="${h.sdk.url}/public/codes/SAMPLE-CODE/qr.png?sig=`);
    expect(preview.body.text).toContain('your code is SAMPLE-CODE');
    expect(await counts()).toEqual(before);
  });

  it('previews with a real code (its campaign fills campaign.*) and a saved template as a browser page', async () => {
    const campaign = await createCampaign(h.sdk, {
      name: 'Preview codes',
      type: 'AUTO_UPDATE',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 15 } },
    });
    const code = (await h.t.ctx.models.Voucher.findOne({ campaign_id: campaign.id }).lean())!.code;
    const saved = await api('POST', '/v1/templates', {
      name: 'Preview me',
      channel_type: 'email',
      subject: '{{ campaign.name }}',
      mjml: mjml.replace('your code', '{{ voucher.discount }} off with'),
    });
    const byId = await api('POST', '/v1/templates/preview', {
      template_id: saved.body.id,
      customer_id: customerId,
      voucher_code: code,
    });
    expect(byId.body).toMatchObject({ channel_type: 'email', subject: 'Preview codes' });
    expect(byId.body.html).toContain(`Hi Ada Lovelace, 15% off with: ${code}`);

    const page = await api('GET', `/v1/templates/${saved.body.id}/preview?customer_id=${customerId}&format=html`);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toMatch(/^<!doctype html>/i);
    expect(page.text).toContain('Hi Ada Lovelace,  off with: SAMPLE-CODE');
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of [
      'sandbox',
      "frame-ancestors 'none'",
      "form-action 'none'",
      "default-src 'none'",
      "base-uri 'none'",
    ])
      expect(csp.split(/;\s*/)).toContain(directive);
    expect(csp).not.toMatch(/script-src|allow-scripts|allow-same-origin/);
    expect((await api('GET', `/v1/templates/${saved.body.id}/preview?customer_id=nobody`)).status).toBe(404);
  });

  it('refuses a preview of an invalid inline template or for an unknown customer', async () => {
    const bad = await api('POST', '/v1/templates/preview', {
      customer_id: customerId,
      template: { subject: 's', html: '{{ voucher.kode }}' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { field: 'template.html', line: 1, reason: expect.stringContaining('voucher.kode') },
    ]);
    expect(
      (
        await api('POST', '/v1/templates/preview', {
          customer_id: 'cust_nobody',
          template: { text: 'x' },
          channel_type: 'sms',
        })
      ).status,
    ).toBe(404);
  });

  it('documents the template and public routes in the OpenAPI document, the public ones without credentials', async () => {
    const doc = (await api('GET', '/openapi.json', undefined, false)).body;
    expect(doc.paths['/v1/templates/preview'].post.security).toEqual([{ AppId: [], AppToken: [] }]);
    expect(doc.paths['/v1/templates/{id}/preview'].get).toBeDefined();
    expect(doc.paths['/public/codes/{code}/qr.png'].get.security).toBeUndefined();
    expect(doc.paths['/public/unsubscribe'].post).toBeDefined();
  });
});
