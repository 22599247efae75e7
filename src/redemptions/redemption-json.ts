import { toVoucherJson } from '../campaigns/voucher-json';
import { customerRef } from '../customers/customer-json';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { PromotionTierDoc } from '../models/promotion-tier';
import type { RedemptionDoc, RedemptionOrder, ReferrerReward } from '../models/redemption';
import type { ValidationRuleAssignmentDoc } from '../models/validation-rule';
import type { VoucherDoc } from '../models/voucher';
import { tierWithCampaign } from '../promotions/tier-lookup';
import { tierRefJson, toTierJson } from '../promotions/tier-json';
import { discountOf, type Applicable, type OrderInput, type StackableInput, type Target } from './redemption-types';

/** The documents a stored redemption refers to, for its JSON. */
export interface Related {
  voucher: VoucherDoc | null;
  tier: PromotionTierDoc | null;
  campaign: CampaignDoc | null;
  assignments: ValidationRuleAssignmentDoc[];
}

export async function related(models: Models, d: RedemptionDoc): Promise<Related> {
  if (d.promotion_tier_id) {
    const [{ tier, campaign }, assignments] = await Promise.all([
      tierWithCampaign(models, d.promotion_tier_id),
      models.ValidationRuleAssignment.find({ related_object_id: d.promotion_tier_id }).lean(),
    ]);
    return { voucher: null, tier, campaign, assignments };
  }
  const voucher = d.voucher_id ? await models.Voucher.findById(d.voucher_id).lean() : null;
  const campaign = voucher ? await models.Campaign.findById(voucher.campaign_id).lean() : null;
  return { voucher, tier: null, campaign, assignments: [] };
}

export function applicableJson(c: Applicable, amount: number | null) {
  const t = c.target;
  return {
    status: 'APPLICABLE' as const,
    id: c.code,
    object: t.object,
    ...(t.object === 'promotion_tier'
      ? { name: t.tier.name, banner: t.tier.banner ?? null, campaign_id: t.campaign._id }
      : {}),
    order: { amount, discount_amount: c.discount, total_amount: amount === null ? null : amount - c.discount },
    applicable_to: { data: [], total: 0, object: 'list' as const },
    inapplicable_to: { data: [], total: 0, object: 'list' as const },
    result: { discount: { ...(discountOf(t) ?? {}), amount: c.discount } },
    metadata: (t.object === 'voucher' ? t.voucher.metadata : t.tier.metadata) ?? {},
    categories: [],
  };
}

export function orderRefOf(order: OrderInput | undefined): Pick<RedemptionOrder, 'id' | 'source_id'> {
  return { ...(order?.id ? { id: order.id } : {}), ...(order?.source_id ? { source_id: order.source_id } : {}) };
}

/** The voucher or tier and the campaign, as a redemption's events name them. */
export function targetRefs(t: Target) {
  return {
    ...(t.object === 'voucher'
      ? { voucher: { id: t.voucher._id, code: t.voucher.code, campaign_id: t.campaign._id, object: 'voucher' } }
      : { promotion_tier: tierRefJson(t.tier, t.campaign) }),
    campaign: { id: t.campaign._id, name: t.campaign.name, object: 'campaign' },
  };
}

export function orderJson(order: OrderInput | undefined, amount: number | null, discount: number) {
  return {
    ...(order?.id ? { id: order.id } : {}),
    ...(order?.source_id ? { source_id: order.source_id } : {}),
    amount,
    discount_amount: discount,
    total_discount_amount: discount,
    applied_discount_amount: discount,
    total_applied_discount_amount: discount,
    total_amount: amount === null ? null : amount - discount,
    items: order?.items ?? [],
    metadata: order?.metadata ?? {},
    object: 'order' as const,
  };
}

/** Which voucher or tier a redemption (or its rollback) is about, in Voucherify's fields. */
export function relatedObjectJson(d: RedemptionDoc, r: Related) {
  if (d.promotion_tier_id) {
    return {
      related_object_type: 'promotion_tier' as const,
      related_object_id: d.promotion_tier_id,
      promotion_tier:
        r.tier && r.campaign
          ? toTierJson(r.tier, r.campaign, r.assignments)
          : { id: d.promotion_tier_id, object: 'promotion_tier' as const },
    };
  }
  return {
    related_object_type: 'voucher' as const,
    related_object_id: d.voucher_id ?? null,
    voucher:
      r.voucher && r.campaign
        ? toVoucherJson(r.voucher, r.campaign)
        : { id: d.voucher_id ?? null, code: d.voucher_code ?? null, object: 'voucher' as const },
  };
}

/** What a referral redemption credited its referrer (this engine's addition to the redemption). */
export function referrerRewardJson(r: ReferrerReward) {
  return {
    reward: { id: r.reward_id, type: r.type, object: 'reward' as const },
    status: r.status,
    date: new Date(r.date).toISOString(),
    ...(r.voucher_id ? { voucher: { id: r.voucher_id, code: r.code ?? null, object: 'voucher' as const } } : {}),
    ...(r.amount !== undefined ? { amount: r.amount } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
  };
}

export function toRedemptionJson(d: RedemptionDoc, related: Related, customer: CustomerDoc | null) {
  return {
    id: d._id,
    object: 'redemption' as const,
    date: d.date.toISOString(),
    customer_id: d.customer_id ?? null,
    ...(d.referrer_id ? { referrer_id: d.referrer_id } : {}),
    ...(d.referrer_reward ? { referrer_reward: referrerRewardJson(d.referrer_reward) } : {}),
    tracking_id: d.tracking_id ?? null,
    metadata: d.metadata ?? {},
    amount: d.amount,
    redemption: d.parent_redemption_id ?? null,
    result: d.result,
    status: d.status,
    ...(d.failure_code ? { failure_code: d.failure_code, failure_message: d.failure_message ?? null } : {}),
    order: d.order ? { ...d.order, object: 'order' as const } : null,
    channel: { channel_type: 'API' as const },
    customer: customer ? customerRef(customer) : null,
    ...relatedObjectJson(d, related),
    ...(d.rollback
      ? {
          rollback: {
            id: d.rollback.id,
            date: new Date(d.rollback.date).toISOString(),
            reason: d.rollback.reason ?? null,
          },
        }
      : {}),
  };
}

/** The answer to a redemption request: each redemption, and the parent that stands for all of them (or is the one). */
export function stackedJson(
  redemptions: ReturnType<typeof toRedemptionJson>[],
  parentId: string,
  now: Date,
  customer: CustomerDoc | null,
  input: Pick<StackableInput, 'order' | 'tracking_id' | 'metadata'>,
  amount: number | null,
  totalDiscount: number,
) {
  const order = orderJson(input.order, amount, totalDiscount);
  return {
    redemptions,
    parent_redemption: {
      id: parentId,
      object: 'redemption' as const,
      date: now.toISOString(),
      customer_id: customer?._id ?? null,
      tracking_id: input.tracking_id ?? customer?.source_id ?? null,
      metadata: input.metadata ?? {},
      amount: totalDiscount,
      result: 'SUCCESS' as const,
      status: 'SUCCEEDED' as const,
      order,
      customer: customer ? customerRef(customer) : null,
      related_object_type: 'redemption' as const,
      related_object_id: parentId,
    },
    order,
    inapplicable_redeemables: [],
    skipped_redeemables: [],
  };
}

/** The answer to a rollback (`reason` and `tracking_id` as the request gave them): what it gave back, and the redemption's objects as they are now. */
export function rollbackJson(
  current: RedemptionDoc,
  rollback: { id: string; date: Date; reason?: string | undefined; tracking_id?: string | undefined },
  after: Related,
  customer: CustomerDoc | null,
  settled: RedemptionDoc | null | undefined,
) {
  return {
    id: rollback.id,
    object: 'redemption_rollback' as const,
    date: rollback.date.toISOString(),
    customer_id: current.customer_id ?? null,
    tracking_id: rollback.tracking_id ?? current.tracking_id ?? null,
    redemption: current._id,
    reason: rollback.reason ?? null,
    amount: -current.amount,
    result: 'SUCCESS' as const,
    status: 'SUCCEEDED' as const,
    ...relatedObjectJson(current, after),
    customer: customer ? customerRef(customer) : null,
    ...(settled?.referrer_reward ? { referrer_reward: referrerRewardJson(settled.referrer_reward) } : {}),
  };
}
