import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { PromotionTierDoc } from '../models/promotion-tier';

/** A tier by id with the campaign it belongs to; either is null when missing. */
export async function tierWithCampaign(
  models: Models,
  tierId: string,
): Promise<{ tier: PromotionTierDoc | null; campaign: CampaignDoc | null }> {
  const tier = await models.PromotionTier.findById(tierId).lean();
  const campaign = tier ? await models.Campaign.findById(tier.campaign_id).lean() : null;
  return { tier, campaign };
}
