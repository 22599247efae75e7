import request from 'supertest';
import { eventually } from '../helpers/sdk';
import { createCampaign, useServiceHarness } from '../helpers/harness';

describe('validation rules, validations, redemptions and rollbacks', () => {
  const h = useServiceHarness('redeem');

  const campaign = (body: Record<string, unknown>) => createCampaign(h.sdk, body);
  const codesOf = async (campaignId: string) =>
    (await h.t.ctx.models.Voucher.find({ campaign_id: campaignId }).sort({ code: 1 }).lean()).map((v) => v.code);
  const eventsOf = (type: string, filter: Record<string, unknown> = {}) =>
    h.t.ctx.models.DomainEvent.find({ type, ...filter }).lean();
  type Redeemed = {
    redemptions: Array<{
      id: string;
      amount: number;
      voucher: { code: string; redemption: { redeemed_quantity: number } };
    }>;
    order: { amount: number; discount_amount: number; total_amount: number };
  };
  const redeemStackable = (body: Record<string, unknown>) =>
    h.sdk.client.redemptions.redeemStackable(body as never) as unknown as Promise<Redeemed>;
  type Validation = {
    valid: boolean;
    redeemables: Array<{ status: string; id: string }>;
    inapplicable_redeemables: Array<{
      status: string;
      id: string;
      result: { error: { key: string; code: number; error?: { message: string } } };
    }>;
    order: { amount: number; discount_amount: number; total_amount: number };
  };
  const validate = (body: Record<string, unknown>) =>
    h.sdk.client.validations.validateStackable(body as never) as unknown as Promise<Validation>;

  it('restricts a campaign to a segment with a rule assigned via the SDK, and validates without HTTP errors', async () => {
    const vip = await h.sdk.createCustomer({ source_id: 'vip-1' });
    const plain = await h.sdk.createCustomer({ source_id: 'plain-1' });
    const segment = await h.sdk.client.segments.create({ name: 'VIP redeemers', type: 'static', customers: [vip.id] });
    await eventually(
      async () =>
        ((await h.sdk.client.segments.get(segment.id)) as { sync_status?: string }).sync_status === 'synced' ||
        undefined,
      30_000,
      'segment synced',
    );
    const c = await campaign({
      name: 'VIP only',
      type: 'STATIC',
      vouchers_count: 3,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10, amount_limit: 1500 } },
    });

    const rule = await h.sdk.client.validationRules.create({
      name: 'VIPs, orders over 50',
      rules: {
        '1': { name: 'customer.segment', conditions: { $is: [segment.id] }, error: { message: 'Only for VIPs' } },
        '2': { name: 'order.amount', conditions: { $more_than_equal: [5000] } },
        logic: '(1) and 2',
      },
    } as never);
    expect(rule).toMatchObject({ object: 'validation_rules', id: expect.stringMatching(/^val_/) });
    const asgm = await h.sdk.client.validationRules.createAssignment(rule.id, { campaign: c.id } as never);
    expect(asgm).toMatchObject({
      object: 'validation_rules_assignment',
      rule_id: rule.id,
      related_object_type: 'campaign',
      related_object_id: c.id,
    });
    // Same rule again: the same assignment; another rule on the same campaign: refused.
    expect(
      (
        await h.sdk.client.validationRules.createAssignment(rule.id, {
          related_object_type: 'campaign',
          related_object_id: c.name,
        } as never)
      ).id,
    ).toBe(asgm.id);
    const other = await h.sdk.client.validationRules.create({
      name: 'other',
      rules: { '1': { name: 'order.amount', conditions: { $more_than: [1] } } },
    } as never);
    await expect(
      h.sdk.client.validationRules.createAssignment(other.id, { campaign: c.id } as never),
    ).rejects.toMatchObject({ code: 400, key: 'duplicate_found' });

    const [code] = await codesOf(c.id);
    const ok = await validate({
      redeemables: [{ object: 'voucher', id: code }],
      customer: { id: vip.id },
      order: { amount: 20000 },
    });
    expect(ok).toMatchObject({
      valid: true,
      redeemables: [{ status: 'APPLICABLE', id: code, object: 'voucher' }],
      inapplicable_redeemables: [],
      order: { amount: 20000, discount_amount: 1500, total_amount: 18500 },
    });

    const notVip = await validate({
      redeemables: [
        { object: 'voucher', id: code },
        { object: 'voucher', id: 'NO-SUCH-CODE' },
      ],
      customer: { source_id: 'plain-1' },
      order: { amount: 20000 },
    });
    expect(notVip.valid).toBe(false);
    expect(notVip.inapplicable_redeemables).toEqual([
      expect.objectContaining({
        status: 'INAPPLICABLE',
        id: code,
        result: {
          error: expect.objectContaining({ key: 'customer_rules_violated', error: { message: 'Only for VIPs' } }),
        },
      }),
      expect.objectContaining({
        status: 'INAPPLICABLE',
        id: 'NO-SUCH-CODE',
        result: { error: expect.objectContaining({ key: 'not_found', code: 404 }) },
      }),
    ]);
    const small = await validate({
      redeemables: [{ object: 'voucher', id: code }],
      customer: { id: vip.id },
      order: { amount: 4999 },
    });
    expect(small.inapplicable_redeemables[0]!.result.error.key).toBe('order_rules_violated');

    await expect(
      redeemStackable({
        redeemables: [{ object: 'voucher', id: code }],
        customer: { id: plain.id },
        order: { amount: 20000 },
      }),
    ).rejects.toMatchObject({ code: 400, key: 'customer_rules_violated', error: { message: 'Only for VIPs' } });
    const redeemed = await redeemStackable({
      redeemables: [{ object: 'voucher', id: code }],
      customer: { id: vip.id },
      order: { amount: 20000 },
    });
    expect(redeemed.redemptions[0]).toMatchObject({
      amount: 1500,
      voucher: { code, redemption: { redeemed_quantity: 1 } },
    });
    expect(redeemed.order).toMatchObject({ amount: 20000, discount_amount: 1500, total_amount: 18500 });
  });

  it('reports disabled, expired, not-yet-active and used-up codes', async () => {
    const c = await campaign({
      name: 'States',
      type: 'STATIC',
      vouchers_count: 4,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 700 }, redemption: { quantity: 1 } },
    });
    const [disabled, expired, future, once] = await codesOf(c.id);
    const V = h.t.ctx.models.Voucher;
    await V.updateOne({ code: disabled }, { $set: { active: false } });
    await V.updateOne({ code: expired }, { $set: { expiration_date: new Date(Date.now() - 60_000) } });
    await V.updateOne({ code: future }, { $set: { start_date: new Date(Date.now() + 3_600_000) } });
    const res = await validate({
      redeemables: [disabled, expired, future].map((id) => ({ object: 'voucher', id })),
      order: { amount: 500 },
    });
    expect(res.inapplicable_redeemables.map((r) => r.result.error.key)).toEqual([
      'voucher_disabled',
      'voucher_expired',
      'voucher_not_active',
    ]);

    // AMOUNT capped at the order amount; the legacy endpoint through the SDK.
    const r = (await h.sdk.client.redemptions.redeem(once!, { order: { amount: 500 } } as never)) as unknown as {
      id: string;
      result: string;
      amount: number;
      voucher: { code: string };
    };
    expect(r).toMatchObject({ result: 'SUCCESS', amount: 500, voucher: { code: once } });
    await expect(h.sdk.client.redemptions.redeem(once!, {} as never)).rejects.toMatchObject({
      code: 400,
      key: 'quantity_exceeded',
    });
    const again = await validate({ redeemables: [{ object: 'voucher', id: once }] });
    expect(again.inapplicable_redeemables[0]!.result.error.key).toBe('quantity_exceeded');
    for (const [code, key] of [
      [disabled, 'voucher_disabled'],
      [expired, 'voucher_expired'],
    ] as const) {
      const http = await request(h.app)
        .post('/v1/redemptions')
        .set(h.t.auth)
        .send({ redeemables: [{ object: 'voucher', id: code }] });
      expect(http.status).toBe(400);
      expect(http.body).toMatchObject({ code: 400, key });
    }
    const missing = await request(h.app).post('/v1/vouchers/NOPE-1/redemption').set(h.t.auth).send({});
    expect(missing.status).toBe(404);
    expect(missing.body.key).toBe('not_found');
  });

  it('lets exactly 3 of 10 parallel redemptions of a quantity-3 code succeed', async () => {
    const c = await campaign({
      name: 'Three uses',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: {
        type: 'DISCOUNT_VOUCHER',
        discount: { type: 'PERCENT', percent_off: 20 },
        redemption: { quantity: 3 },
      },
    });
    const [code] = await codesOf(c.id);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        redeemStackable({
          redeemables: [{ object: 'voucher', id: code }],
          customer: { source_id: `par-${i}` },
          order: { amount: 1000 },
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(3);
    expect(failed).toHaveLength(7);
    for (const f of failed) expect(f.reason).toMatchObject({ code: 400, key: 'quantity_exceeded' });
    expect((await h.t.ctx.models.Voucher.findOne({ code }).lean())!.redemption.redeemed_quantity).toBe(3);
    expect(await h.t.ctx.models.Redemption.countDocuments({ voucher_code: code, status: 'SUCCEEDED' })).toBe(3);
  });

  it('holds "once per customer" and a total limit under parallel redemptions', async () => {
    const c = await campaign({
      name: 'Parallel limits',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: {
        type: 'DISCOUNT_VOUCHER',
        discount: { type: 'AMOUNT', amount_off: 100 },
        redemption: { quantity: 100 },
      },
    });
    const [code] = await codesOf(c.id);
    const once = await h.sdk.client.validationRules.create({
      name: 'once per customer, 3 in all',
      rules: {
        '1': { name: 'redemption.count.per_customer', conditions: { $less_than_or_equal: [1] } },
        '2': { name: 'redemption.count', conditions: { $less_than_or_equal: [3] } },
      },
    } as never);
    await h.sdk.client.validationRules.createAssignment(once.id, { voucher: code } as never);
    const customer = await h.sdk.createCustomer({ source_id: 'par-limit-1' });

    // Never more than the rules allow. (The embedded server may return the same $inc value to
    // two racing requests, so a race can also refuse all of them; refusals give their places back.)
    const same = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        redeemStackable({ redeemables: [{ object: 'voucher', id: code }], customer: { id: customer.id } }),
      ),
    );
    const sameWon = same.filter((r) => r.status === 'fulfilled').length;
    expect(sameWon).toBeLessThanOrEqual(1);
    for (const r of same)
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 400, key: 'redemption_rules_violated' });
    const again = redeemStackable({ redeemables: [{ object: 'voucher', id: code }], customer: { id: customer.id } });
    if (sameWon === 1) await expect(again).rejects.toMatchObject({ key: 'redemption_rules_violated' });
    else await expect(again).resolves.toBeTruthy();

    const others = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        redeemStackable({
          redeemables: [{ object: 'voucher', id: code }],
          customer: { source_id: `par-limit-other-${i}` },
        }),
      ),
    );
    expect(others.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(2);
    const standing = await h.t.ctx.models.Redemption.countDocuments({ voucher_code: code, status: 'SUCCEEDED' });
    expect(standing).toBeLessThanOrEqual(3);
    // Refused requests gave their uses back.
    expect((await h.t.ctx.models.Voucher.findOne({ code }).lean())!.redemption.redeemed_quantity).toBe(standing);
  });

  it('rolls back once, giving the use back, and records each event once', async () => {
    const c = await campaign({
      name: 'Rollback',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 300 }, redemption: { quantity: 5 } },
    });
    const [code] = await codesOf(c.id);
    const customer = await h.sdk.createCustomer({ source_id: 'rb-1' });
    const rule = await h.sdk.client.validationRules.create({
      name: 'once each',
      rules: { '1': { name: 'redemption.count.per_customer', conditions: { $less_than_or_equal: [1] } } },
    } as never);
    await h.sdk.client.validationRules.createAssignment(rule.id, { voucher: code } as never);

    const redeemed = await redeemStackable({
      redeemables: [{ object: 'voucher', id: code }],
      customer: { id: customer.id },
      order: { amount: 1000 },
    });
    const id = redeemed.redemptions[0]!.id;
    expect(id).toMatch(/^r_/);
    const got = await h.sdk.client.redemptions.get(id);
    expect(got).toMatchObject({
      id,
      object: 'redemption',
      status: 'SUCCEEDED',
      result: 'SUCCESS',
      customer_id: customer.id,
      amount: 300,
    });

    const rb = (await h.sdk.client.redemptions.rollback(id, { reason: 'order cancelled' })) as unknown as {
      id: string;
      object: string;
      redemption: string;
      reason: string;
    };
    expect(rb).toMatchObject({
      object: 'redemption_rollback',
      redemption: id,
      reason: 'order cancelled',
      id: expect.stringMatching(/^rr_/),
    });
    expect((await h.t.ctx.models.Voucher.findOne({ code }).lean())!.redemption.redeemed_quantity).toBe(0);
    await expect(h.sdk.client.redemptions.rollback(id)).rejects.toMatchObject({
      code: 400,
      key: 'already_rolled_back',
    });
    const second = await request(h.app).post(`/v1/redemptions/${id}/rollback?reason=again`).set(h.t.auth).send({});
    expect(second.status).toBe(400);
    expect(((await h.sdk.client.redemptions.get(id)) as unknown as { status: string }).status).toBe('ROLLED_BACK');

    // The use is back, and the rolled-back redemption does not count against "once per customer".
    const again = await redeemStackable({
      redeemables: [{ object: 'voucher', id: code }],
      customer: { id: customer.id },
    });
    // Parallel rollbacks of one redemption: exactly one wins, the use is given back once.
    const racing = await Promise.allSettled(
      [1, 2, 3].map(() => h.sdk.client.redemptions.rollback(again.redemptions[0]!.id)),
    );
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of racing) if (r.status === 'rejected') expect(r.reason).toMatchObject({ key: 'already_rolled_back' });
    expect((await h.t.ctx.models.Voucher.findOne({ code }).lean())!.redemption.redeemed_quantity).toBe(0);
    await redeemStackable({ redeemables: [{ object: 'voucher', id: code }], customer: { id: customer.id } });
    // Uses are left (5), but the standing redemption counts against "once per customer".
    await expect(
      redeemStackable({ redeemables: [{ object: 'voucher', id: code }], customer: { id: customer.id } }),
    ).rejects.toMatchObject({ key: 'redemption_rules_violated' });

    const succeeded = await eventually(
      async () => {
        const found = await eventsOf('customer.redemption.succeeded', { customer_id: customer.id });
        return found.length === 3 ? found : undefined;
      },
      5_000,
      'redemption events',
    );
    expect(new Set(succeeded.map((e) => e.source!.id)).size).toBe(3);
    expect(succeeded.find((e) => e.source!.id === id)!.data).toMatchObject({ voucher: { code }, redemption: { id } });
    const rolledBack = await eventually(
      async () => {
        const found = await eventsOf('customer.redemption.rollback.succeeded', { customer_id: customer.id });
        return found.length === 2 ? found : undefined;
      },
      5_000,
      'rollback events',
    );
    expect(rolledBack.filter((e) => e.source!.id === id)).toHaveLength(1);
    await eventually(
      async () => ((await h.t.ctx.models.Redemption.countDocuments({ outbox_pending: true })) === 0 ? true : undefined),
      5_000,
      'outboxes relayed',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventsOf('customer.redemption.succeeded', { customer_id: customer.id })).toHaveLength(3);
  });

  it('manages rules over plain HTTP and refuses malformed ones', async () => {
    const bad = await request(h.app)
      .post('/v1/validation-rules')
      .set(h.t.auth)
      .send({
        name: 'bad',
        rules: { '1': { name: 'order.amount', conditions: { $more_than: [1] } }, logic: '1 and (2' },
      });
    expect(bad.status).toBe(400);
    expect(bad.body.key).toBe('invalid_validation_rules');
    const created = await request(h.app)
      .post('/v1/validation-rules')
      .set(h.t.auth)
      .send({ name: 'ok', rules: { '1': { name: 'order.amount', conditions: { $less_than: [100] } } } });
    expect(created.status).toBe(200);
    expect((await request(h.app).get(`/v1/validation-rules/${created.body.id}`).set(h.t.auth)).body).toMatchObject({
      id: created.body.id,
      assignments_count: 0,
    });
    expect((await request(h.app).get('/v1/validation-rules').set(h.t.auth)).body).toMatchObject({
      object: 'list',
      data_ref: 'data',
    });
    expect((await request(h.app).delete(`/v1/validation-rules/${created.body.id}`).set(h.t.auth)).status).toBe(204);
    expect((await request(h.app).get(`/v1/validation-rules/${created.body.id}`).set(h.t.auth)).status).toBe(404);
    expect((await request(h.app).get('/v1/redemptions/r_missing').set(h.t.auth)).status).toBe(404);
  });
});
