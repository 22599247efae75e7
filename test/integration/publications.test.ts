import request from 'supertest';
import { eventually } from '../helpers/sdk';
import { createCampaign, useServiceHarness } from '../helpers/harness';

describe('unique-code campaigns and publications', () => {
  const h = useServiceHarness('publish');

  const campaign = (body: Record<string, unknown>) => createCampaign(h.sdk, body);

  const publish = (body: Record<string, unknown>) =>
    h.sdk.client.distributions.publications.create(body as never) as Promise<{
      id: string;
      voucher: { code: string; holder_id: string };
      customer_id: string;
    }>;

  it('generates the pool from code_config (suffix accepted as postfix), into MongoDB with unique codes', async () => {
    const pending = await h.sdk.client.campaigns.create({
      name: 'Async',
      type: 'STATIC',
      vouchers_count: 5,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 1 } },
    } as never);
    expect(pending).toMatchObject({ object: 'campaign', vouchers_generation_status: 'IN_PROGRESS' });
    const c = await campaign({
      name: 'Spring',
      type: 'STATIC',
      vouchers_count: 200,
      voucher: {
        type: 'DISCOUNT_VOUCHER',
        discount: { type: 'PERCENT', percent_off: 10 },
        code_config: { pattern: 'SP-####', charset: '0123456789ABCDEF', suffix: '-X' },
      },
    });
    const codes = (await h.t.ctx.models.Voucher.find({ campaign_id: c.id }, { code: 1 }).lean()).map((v) => v.code);
    expect(codes).toHaveLength(200);
    expect(new Set(codes).size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^SP-[0-9A-F]{4}-X$/);
  });

  it('generates the codes of a campaign whose generation never started (a crash between the write and the start)', async () => {
    const now = new Date(Date.now() - 60_000);
    const orphan = {
      _id: 'camp_orphan',
      name: 'Orphan',
      campaign_type: 'DISCOUNT_COUPONS',
      type: 'STATIC',
      vouchers_count: 7,
      voucher: {
        type: 'DISCOUNT_VOUCHER',
        discount: { type: 'PERCENT', percent_off: 5 },
        code_config: {
          length: 8,
          charset: 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
          pattern: '########',
          prefix: '',
          postfix: '',
        },
      },
      join_once: false,
      metadata: {},
      active: true,
      vouchers_generation_status: 'IN_PROGRESS',
      generated_count: 0,
      created_at: now,
      updated_at: now,
    };
    await h.t.ctx.models.Campaign.collection.insertOne(orphan as never);
    await h.t.ctx.campaigns.reconcile();
    await eventually(
      async () =>
        (await h.t.ctx.models.Campaign.findById('camp_orphan').lean())?.vouchers_generation_status === 'DONE'
          ? true
          : undefined,
      30_000,
      'orphan generated',
    );
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: 'camp_orphan' })).toBe(7);
    // Reconciling again while nothing is stuck starts nothing new and adds no code.
    await h.t.ctx.campaigns.reconcile();
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: 'camp_orphan' })).toBe(7);
  });

  it('gives 50 parallel publications for 50 customers 50 distinct codes', async () => {
    const c = await campaign({
      name: 'Parallel',
      type: 'STATIC',
      vouchers_count: 60,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } },
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        publish({ campaign: { name: c.name }, customer: { source_id: `par-${i}` } }),
      ),
    );
    const codes = results.map((r) => r.voucher.code);
    expect(new Set(codes).size).toBe(50);
    const holders = await h.t.ctx.models.Voucher.countDocuments({ campaign_id: c.id, holder_id: { $exists: true } });
    expect(holders).toBe(50);
  });

  it('gives two parallel join-once publications for one customer the same single code, and repeats by source_id', async () => {
    const c = await campaign({
      name: 'Join once',
      type: 'STATIC',
      join_once: true,
      vouchers_count: 20,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const [a, b] = await Promise.all([
      publish({ campaign: c.name, customer: { source_id: 'once-1' } }),
      publish({ campaign: c.name, customer: 'once-1' }),
    ]);
    expect(a.voucher.code).toBe(b.voucher.code);
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: c.id, holder_id: { $exists: true } })).toBe(1);

    const open = await campaign({
      name: 'Open',
      type: 'STATIC',
      vouchers_count: 20,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const [x, y] = await Promise.all([
      publish({ campaign: open.name, customer: 'src-1', source_id: 'order-77' }),
      publish({ campaign: open.name, customer: 'src-1', source_id: 'order-77' }),
    ]);
    expect(x.id).toBe(y.id);
    expect(x.voucher.code).toBe(y.voucher.code);
    const other = await publish({ campaign: open.name, customer: 'src-1', source_id: 'order-78' });
    expect(other.voucher.code).not.toBe(x.voucher.code);
  });

  it('records voucher.published for the customer once per publication', async () => {
    const c = await campaign({
      name: 'Evented',
      type: 'STATIC',
      vouchers_count: 5,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const p = await publish({ campaign: c.name, customer: 'ev-1', source_id: 'ev-pub' });
    await publish({ campaign: c.name, customer: 'ev-1', source_id: 'ev-pub' });
    const events = await eventually(
      async () => {
        const found = await h.t.ctx.models.DomainEvent.find({
          type: 'voucher.published',
          customer_id: p.customer_id,
        }).lean();
        return found.length > 0 ? found : undefined;
      },
      5_000,
      'voucher.published',
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({
      voucher: { code: p.voucher.code },
      campaign: { name: 'Evented' },
      publication: { id: p.id },
    });
  });

  it('fails a STATIC campaign with no free code with no_voucher_suitable_for_publication, and grows an AUTO_UPDATE pool', async () => {
    const fixed = await campaign({
      name: 'Tiny static',
      type: 'STATIC',
      vouchers_count: 2,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    await publish({ campaign: fixed.name, customer: 'st-1' });
    await publish({ campaign: fixed.name, customer: 'st-2' });
    await expect(publish({ campaign: fixed.name, customer: 'st-3' })).rejects.toMatchObject({
      code: 400,
      key: 'no_voucher_suitable_for_publication',
    });

    const growing = await campaign({
      name: 'Tiny auto',
      type: 'AUTO_UPDATE',
      vouchers_count: 2,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const published = await Promise.all(
      Array.from({ length: 6 }, (_, i) => publish({ campaign: growing.name, customer: `au-${i}` })),
    );
    expect(new Set(published.map((p) => p.voucher.code)).size).toBe(6);
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: growing.id })).toBeGreaterThanOrEqual(6);
  });

  it('refuses a code_config too small for vouchers_count, naming the field', async () => {
    const res = await request(h.app)
      .post('/v1/campaigns')
      .set(h.t.auth)
      .send({
        name: 'Too small',
        type: 'STATIC',
        vouchers_count: 100,
        voucher: {
          type: 'DISCOUNT_VOUCHER',
          discount: { type: 'PERCENT', percent_off: 5 },
          code_config: { pattern: '##', charset: '0123456789' },
        },
      });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ key: 'invalid_code_config', errors: [{ field: 'voucher.code_config.pattern' }] });
    expect(await h.t.ctx.models.Campaign.countDocuments({ name: 'Too small' })).toBe(0);
  });
});
