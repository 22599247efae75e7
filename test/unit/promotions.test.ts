import type { CampaignDoc } from '../../src/models/campaign';
import type { PromotionTierDoc } from '../../src/models/promotion-tier';
import { assignHierarchies, promotionCampaignInput, tierInput } from '../../src/promotions/promotion-input';
import { tierUnavailable, tierValidity } from '../../src/promotions/tier-availability';
import { tierRefJson } from '../../src/promotions/tier-json';
import { discountText } from '../../src/templates/message-variables';
import { evaluateRules, isAudienceRule } from '../../src/validation-rules/rules';

const HOUR = 3_600_000;
const now = new Date('2026-06-01T12:00:00Z');
const at = (offsetHours: number) => new Date(now.getTime() + offsetHours * HOUR);

function tier(over: Partial<PromotionTierDoc> = {}): PromotionTierDoc {
  return {
    _id: 'promo_1',
    campaign_id: 'camp_1',
    name: 'Big basket',
    banner: '10% off',
    action: { discount: { type: 'PERCENT', percent_off: 10 } },
    hierarchy: 1,
    active: true,
    metadata: {},
    redeemed_count: 0,
    orders_total_amount: 0,
    orders_discount_amount: 0,
    created_at: now,
    updated_at: now,
    ...over,
  };
}
const campaign = (over: Partial<CampaignDoc> = {}) => ({ _id: 'camp_1', name: 'Summer', active: true, ...over });

describe('promotion tier availability', () => {
  it('is available when it and its campaign are enabled and now is inside both windows', () => {
    expect(
      tierUnavailable(
        tier({ start_date: at(-1), expiration_date: at(1) }),
        campaign({ start_date: at(-2), expiration_date: at(2) }),
        now,
      ),
    ).toBeNull();
  });

  it.each([
    ['a disabled campaign', tier(), campaign({ active: false }), 'promotion_inactive'],
    ['a disabled tier', tier({ active: false }), campaign(), 'promotion_inactive'],
    ['an expired tier', tier({ expiration_date: at(-1) }), campaign(), 'promotion_expired'],
    [
      'an expired campaign, though the tier runs on',
      tier({ expiration_date: at(5) }),
      campaign({ expiration_date: at(-1) }),
      'promotion_expired',
    ],
    ['a tier not started yet', tier({ start_date: at(1) }), campaign(), 'promotion_not_active'],
    ['a campaign not started yet', tier(), campaign({ start_date: at(1) }), 'promotion_not_active'],
  ])('refuses %s', (_what, t, c, key) => {
    expect(tierUnavailable(t, c, now)).toMatchObject({ key, details: expect.stringContaining('promo_1') });
  });

  it('narrows the validity to the later start and the earlier end of tier and campaign', () => {
    expect(
      tierValidity(
        tier({ start_date: at(-1), expiration_date: at(10) }),
        campaign({ start_date: at(-5), expiration_date: at(3) }),
      ),
    ).toEqual({ start_date: at(-1), expiration_date: at(3) });
    expect(tierValidity(tier(), campaign())).toEqual({ start_date: null, expiration_date: null });
  });
});

describe('promotion tier hierarchy', () => {
  it('keeps given hierarchies and puts the rest after the highest one taken', () => {
    expect(assignHierarchies([undefined, undefined], [])).toEqual([1, 2]);
    expect(assignHierarchies([undefined, 5, undefined], [1, 2])).toEqual([6, 5, 7]);
    expect(assignHierarchies([3], [1, 7])).toEqual([3]);
  });

  it('refuses two tiers of one new promotion with the same hierarchy, naming the second', () => {
    const tiers = [1, 2, 1].map((hierarchy, i) => ({
      name: `t${i}`,
      hierarchy,
      action: { discount: { type: 'AMOUNT', amount_off: 100 } },
    }));
    const parsed = promotionCampaignInput.safeParse({ name: 'P', campaign_type: 'PROMOTION', promotion: { tiers } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues).toEqual([
      expect.objectContaining({ path: ['promotion', 'tiers', 2, 'hierarchy'], message: 'tier 0 has hierarchy 1 too' }),
    ]);
  });
});

describe('promotion tier input', () => {
  it.each([
    [{ type: 'AMOUNT' }, 'amount_off'],
    [{ type: 'PERCENT' }, 'percent_off'],
    [{ type: 'FIXED' }, 'fixed_amount'],
    [{ type: 'UNIT', unit_off: 1 }, 'unit_type'],
  ])('refuses a discount without its value: %j', (discount, field) => {
    const parsed = tierInput.safeParse({ name: 't', action: { discount } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['action', 'discount', field] });
  });

  it('refuses an expiration before the start and a second validation rule', () => {
    const discount = { type: 'AMOUNT', amount_off: 100 };
    expect(
      tierInput.safeParse({
        name: 't',
        action: { discount },
        start_date: '2026-02-01T00:00:00Z',
        expiration_date: '2026-01-01T00:00:00Z',
      }).error!.issues[0]!.path,
    ).toEqual(['expiration_date']);
    expect(tierInput.safeParse({ name: 't', action: { discount }, validation_rules: ['val_a', 'val_b'] }).success).toBe(
      false,
    );
    expect(
      tierInput.safeParse({
        name: 't',
        action: { discount: { type: 'UNIT', unit_off: 1, unit_type: 'prod_5h1pp1ng' } },
      }).success,
    ).toBe(true);
  });
});

describe('promotion tier in messages', () => {
  it('describes free shipping in words', () => {
    expect(discountText({ type: 'UNIT', unit_off: 1, unit_type: 'prod_5h1pp1ng' })).toBe('free shipping');
    expect(discountText({ type: 'UNIT', unit_off: 2, unit_type: 'mug' })).toBe('2 × mug');
  });

  it("carries the tier's wording and its validity inside the campaign's", () => {
    const json = tierRefJson(
      tier({ expiration_date: at(48) }),
      campaign({ start_date: at(-24), expiration_date: at(24) }),
    );
    expect(json).toMatchObject({
      id: 'promo_1',
      name: 'Big basket',
      banner: '10% off',
      discount_description: '10%',
      campaign_id: 'camp_1',
      start_date: at(-24).toISOString(),
      expiration_date: at(24).toISOString(),
    });
  });
});

describe('audience-only rule evaluation', () => {
  const rules = {
    '1': { name: 'customer.segment', conditions: { $is: ['seg_vip'] } },
    '2': { name: 'order.amount', conditions: { $more_than: [10_000] } },
    logic: '1 and 2',
  };
  const facts = { customerSegments: ['seg_vip'], orderAmount: 100, redemptionsOfCustomer: 0, redemptionsTotal: 0 };

  it('counts rules left out as met, and still applies the audience ones', () => {
    expect(evaluateRules(rules, facts)).toMatchObject({ key: 'order_rules_violated' });
    expect(evaluateRules(rules, facts, undefined, isAudienceRule)).toBeNull();
    expect(evaluateRules(rules, { ...facts, customerSegments: [] }, undefined, isAudienceRule)).toMatchObject({
      key: 'customer_rules_violated',
    });
  });
});
