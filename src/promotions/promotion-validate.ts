import type { Models } from '../models';
import type { RedemptionService, StackableInput } from '../redemptions/redemption-service';
import { tierUnavailable } from './tier-availability';
import { campaignsOf } from './tier-reads';

/**
 * The legacy `promotions.validate`: the tiers this customer and order qualify for now, each
 * with its discount on the whole order, in campaign then hierarchy order.
 */
export async function validatePromotions(
  { models, redemptions }: { models: Models; redemptions: RedemptionService },
  input: Omit<StackableInput, 'redeemables'>,
  options: { audienceRulesOnly?: boolean } = {},
) {
  const all = await models.PromotionTier.find({ active: true }).sort({ campaign_id: 1, hierarchy: 1 }).lean();
  const campaigns = await campaignsOf(models, all);
  const now = new Date();
  const candidates = all.filter((t) => {
    const c = campaigns.get(t.campaign_id);
    return c !== undefined && tierUnavailable(t, c, now) === null;
  });
  const { customer, amount, checks } = await redemptions.checkEach(
    candidates.map((t) => ({ object: 'promotion_tier', id: t._id })),
    input,
    { audienceOnly: options.audienceRulesOnly === true },
  );
  const promotions = checks.flatMap((c) => {
    if (!c.ok || c.target.object !== 'promotion_tier') return [];
    const t = c.target.tier;
    const total = amount === null ? null : amount - c.discount;
    return [
      {
        id: t._id,
        object: 'promotion_tier' as const,
        name: t.name,
        banner: t.banner ?? null,
        campaign: { id: c.target.campaign._id, name: c.target.campaign.name, object: 'campaign' as const },
        start_date: t.start_date?.toISOString() ?? null,
        expiration_date: t.expiration_date?.toISOString() ?? null,
        discount: t.action.discount,
        discount_amount: c.discount,
        applied_discount_amount: c.discount,
        metadata: t.metadata ?? {},
        order: {
          ...(input.order?.id ? { id: input.order.id } : {}),
          ...(input.order?.source_id ? { source_id: input.order.source_id } : {}),
          amount,
          discount_amount: c.discount,
          total_discount_amount: c.discount,
          applied_discount_amount: c.discount,
          total_applied_discount_amount: c.discount,
          total_amount: total,
          items: input.order?.items ?? [],
          metadata: input.order?.metadata ?? {},
        },
        hierarchy: t.hierarchy,
      },
    ];
  });
  return { valid: promotions.length > 0, promotions, tracking_id: input.tracking_id ?? customer?.source_id ?? null };
}
