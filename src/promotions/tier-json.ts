import type { CampaignDoc } from '../models/campaign';
import type { PromotionTierDoc } from '../models/promotion-tier';
import type { ValidationRuleAssignmentDoc } from '../models/validation-rule';
import { discountText } from '../templates/message-variables';
import { toAssignmentJson } from '../validation-rules/validation-rule-service';
import { tierValidity } from './tier-availability';

/** A promotion tier in Voucherify's shape (what `promotions.tiers.get` returns). */
export function toTierJson(
  t: PromotionTierDoc,
  campaign: Pick<CampaignDoc, '_id' | 'name' | 'active' | 'start_date' | 'expiration_date'>,
  assignments: readonly ValidationRuleAssignmentDoc[],
) {
  return {
    id: t._id,
    object: 'promotion_tier' as const,
    name: t.name,
    banner: t.banner ?? null,
    campaign: {
      id: campaign._id,
      name: campaign.name,
      start_date: campaign.start_date?.toISOString() ?? null,
      expiration_date: campaign.expiration_date?.toISOString() ?? null,
      active: campaign.active,
      object: 'campaign' as const,
    },
    campaign_id: t.campaign_id,
    action: t.action,
    hierarchy: t.hierarchy,
    active: t.active,
    start_date: t.start_date?.toISOString() ?? null,
    expiration_date: t.expiration_date?.toISOString() ?? null,
    metadata: t.metadata ?? {},
    validation_rule_assignments: {
      object: 'list' as const,
      data_ref: 'data' as const,
      data: assignments.map(toAssignmentJson),
      total: assignments.length,
    },
    summary: {
      redemptions: { total_redeemed: t.redeemed_count ?? 0 },
      orders: { total_amount: t.orders_total_amount ?? 0, total_discount_amount: t.orders_discount_amount ?? 0 },
    },
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at?.toISOString() ?? null,
  };
}

export type TierJson = ReturnType<typeof toTierJson>;

/**
 * The tier as events and messages carry it: what a customer is told (name, banner, discount
 * and its wording) and the window they can use it in (tier and campaign dates combined).
 */
export function tierRefJson(
  t: PromotionTierDoc,
  campaign: Pick<CampaignDoc, '_id' | 'name' | 'start_date' | 'expiration_date'>,
) {
  const validity = tierValidity(t, campaign);
  return {
    id: t._id,
    object: 'promotion_tier' as const,
    name: t.name,
    banner: t.banner ?? null,
    campaign_id: campaign._id,
    campaign: { id: campaign._id, name: campaign.name, object: 'campaign' as const },
    action: t.action,
    discount_description: discountText(t.action.discount),
    hierarchy: t.hierarchy,
    metadata: t.metadata ?? {},
    start_date: validity.start_date?.toISOString() ?? null,
    expiration_date: validity.expiration_date?.toISOString() ?? null,
  };
}
