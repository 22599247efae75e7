import { METADATA_MAX_BYTES } from '../../src/metadata/metadata-bounds';
import { useServiceHarness } from '../helpers/harness';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** `{ k: { k: … { k: 1 } } }`, `levels` objects deep (the outer one is level 1). */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { k: 1 };
  for (let i = 1; i < levels; i++) value = { k: value };
  return value;
}

describe('input bounds: nothing a client sends can break the database', () => {
  const h = useServiceHarness('bounds');

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${h.sdk.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...h.t.auth },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  it('answers 400 to customer metadata nested 1,000 deep, and the store still reads and writes', async () => {
    const deep = await api('POST', '/v1/customers', { source_id: 'deep-1', metadata: nested(1000) });
    expect(deep.status).toBe(400);
    expect(deep.body.key).toBe('body_too_deep');
    expect(JSON.stringify(deep.body)).toContain('at most 64 levels deep');
    expect(await h.t.ctx.models.Customer.countDocuments()).toBe(0);

    const written = await api('POST', '/v1/customers', {
      source_id: 'after-deep',
      name: 'Still here',
      metadata: { tier: 'gold' },
    });
    expect(written.status).toBe(200);
    const read = await api('GET', `/v1/customers/${written.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ source_id: 'after-deep', name: 'Still here', metadata: { tier: 'gold' } });
    const updated = await api('PUT', `/v1/customers/${written.body.id}`, { metadata: { tier: 'silver' } });
    expect(updated.status).toBe(200);
    expect((await api('GET', '/v1/customers')).body.customers.map((c: Json) => c.source_id)).toEqual(['after-deep']);
  });

  it('takes metadata 10 levels deep and refuses 11, and refuses metadata over the size cap', async () => {
    expect((await api('POST', '/v1/customers', { source_id: 'ten', metadata: nested(10) })).status).toBe(200);
    const eleven = await api('POST', '/v1/customers', { source_id: 'eleven', metadata: nested(11) });
    expect(eleven.status).toBe(400);
    const big = await api('POST', '/v1/customers', {
      source_id: 'big',
      metadata: { blob: 'x'.repeat(METADATA_MAX_BYTES) },
    });
    expect(big.status).toBe(400);
    expect(JSON.stringify(big.body)).toMatch(/metadata may be at most 65536 bytes as JSON/);
    const update = await api('PUT', '/v1/customers/ten', { metadata: nested(50) });
    expect(update.status).toBe(400);
    expect(await h.t.ctx.models.Customer.find({ source_id: { $in: ['eleven', 'big'] } }).countDocuments()).toBe(0);
  });

  it('bounds metadata and free-form settings everywhere else too: orders, campaigns, publications, segments, channels', async () => {
    const cases: [string, string, unknown][] = [
      ['POST', '/v1/orders', { source_id: 'o-deep', amount: 1000, metadata: nested(50) }],
      [
        'POST',
        '/v1/campaigns',
        {
          name: 'deep',
          campaign_type: 'DISCOUNT_COUPONS',
          type: 'STATIC',
          vouchers_count: 1,
          voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } },
          metadata: nested(50),
        },
      ],
      [
        'POST',
        '/v1/publications',
        { campaign: { name: 'deep' }, customer: { source_id: 'deep-pub' }, metadata: nested(50) },
      ],
      ['POST', '/v1/segments', { name: 'deep', type: 'auto-update', filter: nested(50) }],
      [
        'POST',
        '/v1/channels',
        {
          type: 'sendgrid',
          name: 'deep',
          credentials: { api_key: 'SG.k' },
          settings: { from: 'a@b.example', x: nested(50) },
        },
      ],
    ];
    for (const [method, path, body] of cases) {
      const res = await api(method, path, body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.stringify(res.body)).toMatch(/may nest at most 10 levels deep/);
    }
    expect(await h.t.ctx.models.Order.countDocuments()).toBe(0);
    expect(
      (await api('POST', '/v1/orders', { source_id: 'o-fine', amount: 1000, metadata: { channel: 'web' } })).status,
    ).toBe(200);
  });

  it('refuses any body nesting deeper than 64 levels on every route, free-form fields included, and writes nothing', async () => {
    const cases: [string, string, unknown][] = [
      ['POST', '/v1/redemptions', { redeemables: [{ object: 'voucher', id: 'NONE' }], order: nested(100) }],
      ['POST', '/v1/validation-rules', { name: 'deep', rules: { '1': nested(100), logic: '1' } }],
      [
        'POST',
        '/v1/validations',
        { redeemables: [{ object: 'voucher', id: 'NONE' }], order: { items: [nested(100)] } },
      ],
      [
        'POST',
        '/v1/channels',
        { type: 'webhook', name: 'deep', settings: { url: 'https://hooks.example/x', headers: nested(100) } },
      ],
    ];
    for (const [method, path, body] of cases) {
      const res = await api(method, path, body);
      expect({ path, status: res.status, key: res.body?.key }).toEqual({ path, status: 400, key: 'body_too_deep' });
    }
    expect(await h.t.ctx.models.ValidationRule.countDocuments({ name: 'deep' })).toBe(0);
    expect(await h.t.ctx.models.ChannelAccount.countDocuments({ name: 'deep' })).toBe(0);
    // 64 levels is still a body: refused by the field's own bound (rules nest at most 10 deep), not by depth.
    const sixtyFour = await api('POST', '/v1/validation-rules', {
      name: 'sixty-four',
      rules: { '1': nested(61), logic: '1' },
    });
    expect(sixtyFour.status).toBe(400);
    expect(JSON.stringify(sixtyFour.body)).toContain('rules may nest at most 10 levels deep');
    expect(await h.t.ctx.models.ValidationRule.countDocuments()).toBe(0);
  });
});
