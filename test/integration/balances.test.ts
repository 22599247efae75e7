import request from 'supertest';
import { eventually } from '../helpers/sdk';
import { createCampaign, useServiceHarness } from '../helpers/harness';

describe('gift card and loyalty card balances', () => {
  const h = useServiceHarness('balance');

  const campaign = (body: Record<string, unknown>) => createCampaign(h.sdk, body);
  const publish = (body: Record<string, unknown>) =>
    h.sdk.client.distributions.publications.create(body as never) as Promise<{
      voucher: { id: string; code: string };
      customer_id: string;
    }>;
  const addBalance = (code: string, body: Record<string, unknown>) =>
    h.sdk.client.vouchers.balance.create(code, body as never);
  const voucherOf = (code: string) => h.t.ctx.models.Voucher.findOne({ code }).lean();

  it('adds and removes gift credits atomically, never below 0, and records balance_added for the holder', async () => {
    const c = await campaign({
      name: 'Gift',
      type: 'STATIC',
      vouchers_count: 3,
      voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } },
    });
    const p = await publish({ campaign: c.name, customer: 'gift-holder' });
    const code = p.voucher.code;

    const added = await addBalance(code, { amount: 500 });
    expect(added).toEqual({
      amount: 500,
      total: 1500,
      balance: 1500,
      type: 'gift_voucher',
      operation_type: 'MANUAL',
      object: 'balance',
      related_object: { type: 'voucher', id: p.voucher.id },
    });

    const removed = await addBalance(code, { amount: -1200 });
    expect(removed).toMatchObject({ amount: -1200, total: 300, balance: 300 });

    await expect(addBalance(code, { amount: -301 })).rejects.toMatchObject({ code: 400, key: 'gift_amount_exceeded' });
    expect((await voucherOf(code))!.gift).toMatchObject({ amount: 300, balance: 300 });

    // Parallel removals: only as many as the balance allows succeed.
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => addBalance(code, { amount: -100 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect((await voucherOf(code))!.gift).toMatchObject({ balance: 0 });

    const events = await eventually(
      async () => {
        const found = await h.t.ctx.models.DomainEvent.find({ type: 'customer.voucher.gift.balance_added' }).lean();
        return found.length > 0 ? found : undefined;
      },
      5_000,
      'balance_added',
    );
    expect(events).toHaveLength(1); // removals raise none
    expect(events[0]).toMatchObject({ customer_id: p.customer_id, source: { type: 'voucher', id: p.voucher.id } });
    expect(events[0]!.data).toMatchObject({
      customer: { id: p.customer_id },
      voucher: { code },
      balance: { amount: 500 },
    });
    // The outbox is emptied once relayed.
    await eventually(async () => ((await voucherOf(code))!.outbox_pending ? undefined : true), 5_000, 'outbox relayed');
  });

  it('applies one source_id once under 5 parallel calls, and records its event once', async () => {
    const c = await campaign({
      name: 'Idem',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } },
    });
    const p = await publish({ campaign: c.name, customer: 'idem-holder' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => addBalance(p.voucher.code, { amount: 250, source_id: 'topup-1' })),
    );
    for (const r of results) expect(r).toMatchObject({ amount: 250, balance: 1250, total: 1250 });
    expect((await voucherOf(p.voucher.code))!.gift).toMatchObject({ amount: 1250, balance: 1250 });
    const again = await addBalance(p.voucher.code, { amount: 250, source_id: 'topup-1' });
    expect(again).toMatchObject({ balance: 1250 });
    await addBalance(p.voucher.code, { amount: 250, source_id: 'topup-2' });
    expect((await voucherOf(p.voucher.code))!.gift).toMatchObject({ balance: 1500 });

    await eventually(
      async () =>
        (await h.t.ctx.models.DomainEvent.countDocuments({
          type: 'customer.voucher.gift.balance_added',
          customer_id: p.customer_id,
        })) === 2
          ? true
          : undefined,
      5_000,
      'two events',
    );
    await new Promise((r) => setTimeout(r, 300));
    const events = await h.t.ctx.models.DomainEvent.find({
      type: 'customer.voucher.gift.balance_added',
      customer_id: p.customer_id,
    }).lean();
    expect(events.map((e) => (e.data as { balance: { source_id: string } }).balance.source_id).sort()).toEqual([
      'topup-1',
      'topup-2',
    ]);
  });

  it('adds loyalty points, floors at 0, records points_added even without a holder, and refuses a discount voucher', async () => {
    const c = await campaign({
      name: 'Loyal',
      campaign_type: 'LOYALTY_PROGRAM',
      type: 'STATIC',
      vouchers_count: 2,
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } },
    });
    const free = await h.t.ctx.models.Voucher.findOne({ campaign_id: c.id }).lean();
    const res = await request(h.app)
      .post(`/v1/vouchers/${free!.code}/balance`)
      .set(h.t.auth)
      .send({ amount: 40, reason: 'welcome' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ amount: 40, total: 40, balance: 40, type: 'loyalty_card', object: 'balance' });
    const neg = await request(h.app).post(`/v1/vouchers/${free!.code}/balance`).set(h.t.auth).send({ amount: -41 });
    expect(neg.status).toBe(400);
    expect(neg.body).toMatchObject({ key: 'loyalty_card_points_exceeded' });
    const event = await eventually(
      async () =>
        (await h.t.ctx.models.DomainEvent.findOne({
          type: 'customer.voucher.loyalty_card.points_added',
          'source.id': free!._id,
        }).lean()) ?? undefined,
      5_000,
      'points_added',
    );
    expect(event.customer_id).toBeUndefined();
    expect(event.data).not.toHaveProperty('customer');

    const d = await campaign({
      name: 'Disc',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const disc = await h.t.ctx.models.Voucher.findOne({ campaign_id: d.id }).lean();
    await expect(addBalance(disc!.code, { amount: 10 })).rejects.toMatchObject({
      code: 400,
      key: 'invalid_voucher_type',
    });
    await expect(addBalance('NO-SUCH-CODE', { amount: 10 })).rejects.toMatchObject({ code: 404 });
    const zero = await request(h.app).post(`/v1/vouchers/${disc!.code}/balance`).set(h.t.auth).send({ amount: 0 });
    expect(zero.status).toBe(400);
  });
});
