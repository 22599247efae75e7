import request from 'supertest';
import type { DistributionSettings } from '../../src/distributions/settings';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

interface Tier {
  id: string;
  object: 'promotion_tier';
  name: string;
  banner: string | null;
  hierarchy: number;
  active: boolean;
  action: { discount: Record<string, unknown> };
  validation_rule_assignments: { total: number; data: Array<{ rule_id: string; related_object_type: string }> };
  summary: { redemptions: { total_redeemed: number }; orders: { total_amount: number; total_discount_amount: number } };
}
interface PromotionCampaign {
  id: string;
  name: string;
  campaign_type: string;
  active: boolean;
  promotion: { tiers: Tier[]; total: number };
}
type HookBody = { text?: string; variables: Record<string, Record<string, unknown> | undefined> };

/**
 * Promotion campaigns and tiers through `@voucherify/sdk` (the calls it has) and plain HTTP
 * (tier enable/disable, which it lacks): CRUD, validation, redemption with its event, and
 * distributions that notify customers about a tier.
 */
describe('promotions and promotion tiers', () => {
  const SECRET = 'promo-test-secret';
  let hook: FakeWebhook;
  const settings: Partial<DistributionSettings> = { webhookSecret: SECRET, gracePeriodSeconds: 0 };
  beforeAll(async () => {
    hook = await startFakeWebhook(SECRET);
  });
  afterAll(async () => {
    await hook.close();
  });
  const h = useServiceHarness('promo', { settings });

  const sdk = () => h.sdk.client;
  const createPromotion = (body: Record<string, unknown>) =>
    sdk().promotions.create(body as never) as unknown as Promise<PromotionCampaign>;
  const http = () => request(h.app);
  const synced = (segmentId: string) =>
    eventually(
      async () =>
        ((await sdk().segments.get(segmentId)) as { sync_status?: string }).sync_status === 'synced' || undefined,
      30_000,
      'segment synced',
    );

  /** A promotion whose first tier needs an order of 100.00 or more and whose second needs a VIP. */
  async function summerSale(name: string) {
    const vip = await h.sdk.createCustomer({ source_id: `${name}-vip`, name: 'Vera' });
    const segment = await sdk().segments.create({ name: `${name} VIPs`, type: 'static', customers: [vip.id] } as never);
    await synced(segment.id);
    const bigOrder = await sdk().validationRules.create({
      name: `${name}: order of 100 or more`,
      rules: { '1': { name: 'order.amount', conditions: { $more_than_equal: [10_000] } } },
    } as never);
    const vipOnly = await sdk().validationRules.create({
      name: `${name}: VIPs`,
      rules: { '1': { name: 'customer.segment', conditions: { $is: [segment.id] }, error: { message: 'VIPs only' } } },
    } as never);
    const promo = await createPromotion({
      name,
      campaign_type: 'PROMOTION',
      promotion: {
        tiers: [
          {
            name: 'Big basket',
            banner: '10% off orders over 100',
            action: { discount: { type: 'PERCENT', percent_off: 10, effect: 'APPLY_TO_ORDER' } },
            validation_rules: [bigOrder.id],
            metadata: { lane: 'a' },
          },
          {
            name: 'VIP shipping',
            banner: 'Free shipping for VIPs',
            action: {
              discount: { type: 'UNIT', unit_off: 1, unit_type: 'prod_5h1pp1ng', effect: 'ADD_MISSING_ITEMS' },
            },
            validation_rules: [vipOnly.id],
          },
        ],
      },
    });
    return {
      promo,
      vip,
      segment,
      bigOrder,
      vipOnly,
      big: promo.promotion.tiers[0]!,
      vipTier: promo.promotion.tiers[1]!,
    };
  }

  it('creates a promotion with two tiers through the SDK, and lists, gets, adds, updates, disables, enables and deletes tiers', async () => {
    const { promo, bigOrder, big, vipTier } = await summerSale('Summer');
    expect(promo).toMatchObject({
      object: 'campaign',
      campaign_type: 'PROMOTION',
      active: true,
      promotion: { total: 2 },
    });
    expect(big).toMatchObject({
      object: 'promotion_tier',
      name: 'Big basket',
      banner: '10% off orders over 100',
      hierarchy: 1,
      active: true,
      metadata: { lane: 'a' },
      id: expect.stringMatching(/^promo_/),
    });
    expect(big.validation_rule_assignments).toMatchObject({
      total: 1,
      data: [{ rule_id: bigOrder.id, related_object_type: 'promotion_tier' }],
    });
    expect(vipTier.hierarchy).toBe(2);

    const listed = (await sdk().promotions.tiers.list(promo.id)) as unknown as { tiers: Tier[] };
    expect(listed.tiers.map((t) => t.name)).toEqual(['Big basket', 'VIP shipping']);
    expect(await sdk().promotions.tiers.get(big.id)).toMatchObject({
      id: big.id,
      campaign: { id: promo.id, active: true },
    });
    expect(((await sdk().campaigns.get(promo.id)) as unknown as PromotionCampaign).promotion.tiers).toHaveLength(2);

    const third = (await sdk().promotions.tiers.create(promo.id, {
      name: 'Five off',
      banner: '5.00 off',
      action: { discount: { type: 'AMOUNT', amount_off: 500 } },
    } as never)) as unknown as Tier;
    expect(third).toMatchObject({ hierarchy: 3, active: true, validation_rule_assignments: { total: 0 } });
    await expect(sdk().promotions.tiers.update({ id: third.id, hierarchy: 1 } as never)).rejects.toMatchObject({
      code: 409,
      key: 'duplicate_found',
    });
    expect(
      await sdk().promotions.tiers.update({
        id: third.id,
        banner: 'Five off everything',
        validation_rules: [bigOrder.id],
      } as never),
    ).toMatchObject({ banner: 'Five off everything', hierarchy: 3, validation_rule_assignments: { total: 1 } });

    const disabled = await http().post(`/v1/promotions/tiers/${third.id}/disable`).set(h.t.auth);
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ id: third.id, active: false });
    const available = (await sdk().promotions.tiers.listAll({ is_available: true, limit: 100 })) as unknown as {
      tiers: Tier[];
    };
    expect(available.tiers.map((t) => t.id)).toEqual(expect.arrayContaining([big.id, vipTier.id]));
    expect(available.tiers.map((t) => t.id)).not.toContain(third.id);
    expect((await http().post(`/v1/promotions/tiers/${third.id}/enable`).set(h.t.auth)).body).toMatchObject({
      active: true,
    });

    // The SDK's assignment shape names a tier too; one rule per object, as for vouchers.
    const other = await sdk().validationRules.create({
      name: 'Summer: any order',
      rules: { '1': { name: 'order.amount', conditions: { $more_than: [0] } } },
    } as never);
    await expect(
      sdk().validationRules.createAssignment(other.id, { promotion_tier: third.id } as never),
    ).rejects.toMatchObject({ code: 400, key: 'duplicate_found' });
    expect(
      await sdk().validationRules.createAssignment(bigOrder.id, { promotion_tier: third.id } as never),
    ).toMatchObject({ rule_id: bigOrder.id, related_object_type: 'promotion_tier', related_object_id: third.id });

    await sdk().promotions.tiers.delete(third.id);
    await expect(sdk().promotions.tiers.get(third.id)).rejects.toMatchObject({ code: 404, key: 'not_found' });
    expect(await h.t.ctx.models.ValidationRuleAssignment.countDocuments({ related_object_id: third.id })).toBe(0);
    expect((await http().get('/v1/promotions/tiers')).status).toBe(401);
  });

  it('validates an order that meets one tier only, redeems that tier with a customer.redemption.succeeded event, and rolls it back', async () => {
    const { big, vipTier, promo } = await summerSale('Autumn');
    await h.sdk.createCustomer({ source_id: 'autumn-shopper', name: 'Sam' });
    // The redemption trigger, narrowed to the promotion's campaign, fires for its tiers too.
    const onRedeemed = await http()
      .post('/v1/distributions')
      .set(h.t.auth)
      .send({
        name: 'Thanks for redeeming',
        trigger: { type: 'voucher_redeemed', campaign_id: promo.id },
        purpose: { type: 'plain' },
        consents: { verification: false, required: [] },
        channels: [
          {
            type: 'webhook',
            settings: { url: `${hook.url}/redeemed` },
            template: { text: '{{customer.name}} saved with {{promotion.name}}' },
          },
        ],
      });
    expect(onRedeemed.status).toBe(200);
    const customer = { source_id: 'autumn-shopper' };
    const order = { amount: 20_000 };

    const legacy = (await sdk().promotions.validate({ customer, order } as never)) as unknown as {
      valid: boolean;
      promotions: Array<{ id: string; discount_amount: number; order: { total_amount: number } }>;
    };
    expect(legacy.valid).toBe(true);
    const ofThisPromotion = legacy.promotions.filter((p) => [big.id, vipTier.id].includes(p.id));
    expect(ofThisPromotion).toEqual([
      expect.objectContaining({
        id: big.id,
        discount_amount: 2_000,
        order: expect.objectContaining({ total_amount: 18_000 }),
      }),
    ]);
    const small = (await sdk().promotions.validate({ customer, order: { amount: 5_000 } } as never)) as unknown as {
      promotions: Array<{ id: string }>;
    };
    expect(small.promotions.map((p) => p.id)).not.toContain(big.id);
    // Asked about the audience only, the order rule is left out.
    const audience = (await sdk().promotions.validate({ customer, order: { amount: 5_000 } } as never, {
      audienceRulesOnly: true,
    })) as unknown as { promotions: Array<{ id: string }> };
    expect(audience.promotions.map((p) => p.id)).toContain(big.id);
    expect(audience.promotions.map((p) => p.id)).not.toContain(vipTier.id);

    type Validation = {
      valid: boolean;
      redeemables: Array<{ id: string; object: string; order: { discount_amount: number } }>;
      inapplicable_redeemables: Array<{ id: string; result: { error: { key: string; error?: { message: string } } } }>;
    };
    const stacked = (await sdk().validations.validateStackable({
      redeemables: [big, vipTier].map((t) => ({ object: 'promotion_tier', id: t.id })),
      customer,
      order,
    } as never)) as unknown as Validation;
    expect(stacked.valid).toBe(false);
    expect(stacked.redeemables).toEqual([
      expect.objectContaining({
        id: big.id,
        object: 'promotion_tier',
        order: expect.objectContaining({ discount_amount: 2_000 }),
      }),
    ]);
    expect(stacked.inapplicable_redeemables).toEqual([
      expect.objectContaining({
        id: vipTier.id,
        result: { error: expect.objectContaining({ key: 'customer_rules_violated', error: { message: 'VIPs only' } }) },
      }),
    ]);
    await expect(
      sdk().redemptions.redeemStackable({
        redeemables: [{ object: 'promotion_tier', id: vipTier.id }],
        customer,
        order,
      } as never),
    ).rejects.toMatchObject({ code: 400, key: 'customer_rules_violated' });

    const redeemed = (await sdk().promotions.tiers.redeem(big.id, { customer, order } as never)) as unknown as {
      id: string;
      amount: number;
      related_object_type: string;
      promotion_tier: Tier;
    };
    expect(redeemed).toMatchObject({
      object: 'redemption',
      amount: 2_000,
      result: 'SUCCESS',
      related_object_type: 'promotion_tier',
      related_object_id: big.id,
    });
    expect(redeemed.promotion_tier).toMatchObject({
      id: big.id,
      summary: { redemptions: { total_redeemed: 1 }, orders: { total_amount: 20_000, total_discount_amount: 2_000 } },
    });
    const event = await eventually(
      () =>
        h.t.ctx.models.DomainEvent.findOne({ type: 'customer.redemption.succeeded', 'source.id': redeemed.id })
          .lean()
          .then((e) => e ?? undefined),
      15_000,
      'redemption event',
    );
    expect(event.data).toMatchObject({
      promotion_tier: { id: big.id, name: 'Big basket', discount_description: '10%' },
      campaign: { id: promo.id },
      order: { amount: 20_000, discount_amount: 2_000 },
    });

    const thanks = await eventually(
      async () => hook.requests.find((r) => r.path === '/hook/redeemed'),
      30_000,
      'redemption notice',
    );
    expect((thanks.body as HookBody).text).toBe('Sam saved with Big basket');

    const rollback = (await sdk().redemptions.rollback(redeemed.id)) as unknown as Record<string, unknown>;
    expect(rollback).toMatchObject({
      object: 'redemption_rollback',
      redemption: redeemed.id,
      related_object_type: 'promotion_tier',
      promotion_tier: { id: big.id, summary: { redemptions: { total_redeemed: 0 } } },
    });
    await eventually(
      () =>
        h.t.ctx.models.DomainEvent.findOne({ type: 'customer.redemption.rollback.succeeded', 'source.id': redeemed.id })
          .lean()
          .then((e) => e ?? undefined),
      15_000,
      'rollback event',
    );
    expect(await sdk().redemptions.get(redeemed.id)).toMatchObject({
      status: 'ROLLED_BACK',
      related_object_type: 'promotion_tier',
    });
  });

  it('refuses bad input with a clear 4xx and writes nothing', async () => {
    const tiersBefore = await h.t.ctx.models.PromotionTier.countDocuments();
    const tier = (name: string, extra: Record<string, unknown> = {}) => ({
      name,
      action: { discount: { type: 'AMOUNT', amount_off: 100 } },
      ...extra,
    });

    await expect(
      createPromotion({
        name: 'Overlap',
        campaign_type: 'PROMOTION',
        promotion: { tiers: [tier('a', { hierarchy: 2 }), tier('b', { hierarchy: 2 })] },
      }),
    ).rejects.toMatchObject({
      code: 400,
      key: 'invalid_payload',
      details: expect.stringContaining('promotion.tiers.1.hierarchy'),
    });
    await expect(
      createPromotion({
        name: 'Unknown rule',
        campaign_type: 'PROMOTION',
        promotion: { tiers: [tier('a'), tier('b', { validation_rules: ['val_nope'] })] },
      }),
    ).rejects.toMatchObject({
      code: 400,
      key: 'invalid_validation_rules',
      details: expect.stringContaining('promotion.tiers.1.validation_rules.0'),
    });
    await expect(
      createPromotion({
        name: 'No value',
        campaign_type: 'PROMOTION',
        promotion: { tiers: [{ name: 'x', action: { discount: { type: 'PERCENT' } } }] },
      }),
    ).rejects.toMatchObject({ code: 400, details: expect.stringContaining('percent_off') });
    await expect(
      createPromotion({ name: 'No tiers', campaign_type: 'PROMOTION', promotion: { tiers: [] } }),
    ).rejects.toMatchObject({ code: 400 });
    expect(
      await h.t.ctx.models.Campaign.countDocuments({
        name: { $in: ['Overlap', 'Unknown rule', 'No value', 'No tiers'] },
      }),
    ).toBe(0);
    expect(await h.t.ctx.models.PromotionTier.countDocuments()).toBe(tiersBefore);

    const coupons = await createCampaign(h.sdk, {
      name: 'Plain coupons',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } },
    });
    await expect(sdk().promotions.tiers.create(coupons.id, tier('stray') as never)).rejects.toMatchObject({
      code: 400,
      key: 'invalid_campaign_params',
    });
    // A taken name is a 409 for either kind of campaign, and leaves no tier behind.
    await expect(
      createPromotion({ name: 'Plain coupons', campaign_type: 'PROMOTION', promotion: { tiers: [tier('a')] } }),
    ).rejects.toMatchObject({ code: 409, key: 'duplicate_found' });
    await expect(
      createCampaign(h.sdk, {
        name: 'Plain coupons',
        type: 'STATIC',
        vouchers_count: 1,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 } },
      }),
    ).rejects.toMatchObject({ code: 409, key: 'duplicate_found' });
    expect(await h.t.ctx.models.Campaign.countDocuments({ name: 'Plain coupons' })).toBe(1);
    expect(await h.t.ctx.models.PromotionTier.countDocuments()).toBe(tiersBefore);

    const promo = await createPromotion({
      name: 'Winter',
      campaign_type: 'PROMOTION',
      promotion: {
        tiers: [tier('first'), tier('late', { start_date: new Date(Date.now() + 86_400_000).toISOString() })],
      },
    });
    const [first, late] = promo.promotion.tiers as [Tier, Tier];
    await expect(
      sdk().promotions.tiers.create(promo.id, tier('clash', { hierarchy: 1 }) as never),
    ).rejects.toMatchObject({ code: 409, key: 'duplicate_found' });
    await expect(
      sdk().promotions.tiers.create(promo.id, tier('bad rule', { validation_rules: ['val_nope'] }) as never),
    ).rejects.toMatchObject({ code: 400, key: 'invalid_validation_rules' });
    await expect(
      sdk().promotions.tiers.update({ id: first.id, validation_rules: ['val_nope'] } as never),
    ).rejects.toMatchObject({ code: 400, key: 'invalid_validation_rules' });
    expect(await h.t.ctx.models.PromotionTier.countDocuments({ campaign_id: promo.id })).toBe(2);
    expect(
      (await http().put(`/v1/campaigns/${promo.id}`).set(h.t.auth).send({ type: 'AUTO_UPDATE' })).body,
    ).toMatchObject({ code: 400, key: 'invalid_campaign_params' });

    await expect(sdk().promotions.tiers.redeem(late.id, { order: { amount: 1_000 } } as never)).rejects.toMatchObject({
      code: 400,
      key: 'promotion_not_active',
    });
    await http().post(`/v1/promotions/tiers/${first.id}/disable`).set(h.t.auth).expect(200);
    await expect(sdk().promotions.tiers.redeem(first.id, { order: { amount: 1_000 } } as never)).rejects.toMatchObject({
      code: 400,
      key: 'promotion_inactive',
      resource_type: 'promotion_tier',
    });
    await http().post(`/v1/promotions/tiers/${first.id}/enable`).set(h.t.auth).expect(200);
    await sdk().campaigns.disable(promo.id);
    await expect(
      sdk().redemptions.redeemStackable({ redeemables: [{ object: 'promotion_tier', id: first.id }] } as never),
    ).rejects.toMatchObject({ code: 400, key: 'promotion_inactive' });
    await sdk().campaigns.enable(promo.id);
    await h.t.ctx.models.PromotionTier.updateOne(
      { _id: first.id },
      { $set: { expiration_date: new Date(Date.now() - 60_000) } },
    );
    await expect(sdk().promotions.tiers.redeem(first.id, {} as never)).rejects.toMatchObject({
      code: 400,
      key: 'promotion_expired',
    });
    await expect(sdk().promotions.tiers.redeem('promo_nope', {} as never)).rejects.toMatchObject({
      code: 404,
      key: 'not_found',
    });
    // Nothing redeemed; the four refusals of existing tiers are recorded as failed redemptions (the unknown tier is not).
    expect(
      await h.t.ctx.models.Redemption.countDocuments({
        promotion_tier_id: { $in: [first.id, late.id] },
        status: { $ne: 'FAILED' },
      }),
    ).toBe(0);
    const failures = await h.t.ctx.models.Redemption.find({
      promotion_tier_id: { $in: [first.id, late.id] },
      status: 'FAILED',
    })
      .sort({ created_at: 1 })
      .lean();
    expect(failures.map((f) => f.failure_code).sort()).toEqual([
      'promotion_expired',
      'promotion_inactive',
      'promotion_inactive',
      'promotion_not_active',
    ]);

    // A promotion has no codes to publish.
    await expect(
      sdk().distributions.publications.create({ campaign: promo.id, customer: { source_id: 'winter-fan' } } as never),
    ).rejects.toMatchObject({ code: 400, key: 'invalid_campaign' });

    await sdk().campaigns.delete(promo.id);
    expect(await h.t.ctx.models.PromotionTier.countDocuments({ campaign_id: promo.id })).toBe(0);
  });

  it("notifies a segment about a tier by a manual distribution, with the tier's name, banner and discount in the message, publishing no code", async () => {
    const { big, promo } = await summerSale('Spring');
    const ann = await h.sdk.createCustomer({ source_id: 'spring-ann', name: 'Ann' });
    const segment = await sdk().segments.create({
      name: 'Spring audience',
      type: 'static',
      customers: [ann.id],
    } as never);
    await synced(segment.id);

    const unknown = await http()
      .post('/v1/distributions')
      .set(h.t.auth)
      .send({
        name: 'No tier',
        trigger: { type: 'manual' },
        purpose: { type: 'promotion', promotion_tier_id: 'promo_nope' },
        audience: { type: 'segment', segment_id: segment.id },
        channels: [{ type: 'webhook', settings: { url: `${hook.url}/none` }, template: { text: 'x' } }],
      });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { field: 'purpose.promotion_tier_id', reason: 'promotion tier promo_nope not found' },
    ]);
    // Its campaign has no codes to hand out.
    const codes = await http()
      .post('/v1/distributions')
      .set(h.t.auth)
      .send({
        name: 'Codes of a promotion',
        trigger: { type: 'manual' },
        purpose: { type: 'unique_code', campaign_id: promo.id },
        audience: { type: 'segment', segment_id: segment.id },
        channels: [{ type: 'webhook', settings: { url: `${hook.url}/none` }, template: { text: 'x' } }],
      });
    expect(codes.status).toBe(400);
    expect(codes.body.errors).toEqual([expect.objectContaining({ field: 'purpose.campaign_id' })]);

    const text = 'Hi {{customer.name}}: {{promotion.name}} - {{promotion.banner}} ({{promotion.discount_description}})';
    const created = await http()
      .post('/v1/distributions')
      .set(h.t.auth)
      .send({
        name: 'Spring notice',
        trigger: { type: 'manual' },
        purpose: { type: 'promotion', promotion_tier_id: big.id },
        audience: { type: 'segment', segment_id: segment.id },
        consents: { verification: false, required: [] },
        grace_period_seconds: 0,
        channels: [{ type: 'webhook', settings: { url: `${hook.url}/spring` }, template: { text } }],
      });
    expect(created.status).toBe(200);
    await eventually(
      async () =>
        (await http().get(`/v1/distributions/${created.body.id}`).set(h.t.auth)).body.status === 'completed'
          ? true
          : undefined,
      60_000,
      'distribution completed',
    );

    const received = hook.requests.filter((r) => r.path === '/hook/spring');
    expect(received).toHaveLength(1);
    const body = received[0]!.body as HookBody;
    expect(body.text).toBe('Hi Ann: Big basket - 10% off orders over 100 (10%)');
    expect(body.variables.promotion).toMatchObject({
      id: big.id,
      name: 'Big basket',
      banner: '10% off orders over 100',
      discount_description: '10%',
    });
    expect(await h.t.ctx.models.Publication.countDocuments({ customer_id: ann.id })).toBe(0);
  });

  it('notifies a customer entering a segment about a tier, publishing no code', async () => {
    const { vipTier } = await summerSale('Entry');
    const fans = await sdk().segments.create({
      name: 'Promo fans',
      type: 'auto-update',
      filter: { junction: 'AND', 'metadata.promo_fan': { conditions: { $is: [true] } } },
    } as never);
    const created = await http()
      .post('/v1/distributions')
      .set(h.t.auth)
      .send({
        name: 'Fan notice',
        trigger: { type: 'customer_entered_segment', segment_id: fans.id },
        purpose: { type: 'promotion', promotion_tier_id: vipTier.id },
        consents: { verification: false, required: [] },
        channels: [
          {
            type: 'webhook',
            settings: { url: `${hook.url}/fans` },
            template: { text: '{{promotion.name}}: {{promotion.banner}}, {{promotion.discount_description}}' },
          },
        ],
      });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ status: 'active' });

    const fan = await h.sdk.createCustomer({ source_id: 'entry-fan', name: 'Fay', metadata: { promo_fan: true } });
    const [received] = await eventually(
      async () => {
        const at = hook.requests.filter((r) => r.path === '/hook/fans');
        return at.length > 0 ? at : undefined;
      },
      30_000,
      'fan notice',
    );
    expect((received!.body as HookBody).text).toBe('VIP shipping: Free shipping for VIPs, free shipping');
    expect((received!.body as HookBody).variables.voucher).toBeUndefined();
    expect(await h.t.ctx.models.Publication.countDocuments({ customer_id: fan.id })).toBe(0);
  });
});
