import type { CampaignDoc } from '../models/campaign';
import type { Models } from '../models';
import type { RewardDoc } from '../models/reward';
import { discountText } from '../templates/message-variables';

/**
 * What a reward gives, as a customer reads it, from its definition: a CAMPAIGN reward's
 * credits (gift cards, in cents: `25.00`) or points (loyalty cards: `100 points`), or the
 * discount of the coupon campaign it hands a code from (`10%`); a MATERIAL reward's item
 * (its `attributes.description`, else its name). Null when the definition does not say.
 */
export function rewardValue(
  reward: Pick<RewardDoc, 'type' | 'name' | 'parameters' | 'attributes'>,
  campaign: Pick<CampaignDoc, 'campaign_type' | 'voucher'> | null,
): string | null {
  if (reward.type === 'MATERIAL') {
    const description = reward.attributes?.description;
    return typeof description === 'string' && description !== '' ? description : reward.name;
  }
  const balance = reward.parameters.campaign?.balance;
  switch (campaign?.campaign_type) {
    case 'GIFT_VOUCHERS':
      return typeof balance === 'number' ? (balance / 100).toFixed(2) : null;
    case 'LOYALTY_PROGRAM':
      return typeof balance === 'number' ? `${balance} points` : null;
    case 'DISCOUNT_COUPONS':
    case 'REFERRAL_PROGRAM':
      return discountText(campaign.voucher?.discount);
    default:
      return null;
  }
}

/** A reward as events name it (`customer.rewarded`'s `reward`), with its value for messages. */
export async function rewardRef(models: Models, reward: RewardDoc) {
  const campaignId = reward.type === 'CAMPAIGN' ? reward.parameters.campaign?.id : undefined;
  const campaign = campaignId
    ? await models.Campaign.findById(campaignId, { campaign_type: 1, voucher: 1 }).lean()
    : null;
  return {
    id: reward._id,
    name: reward.name,
    type: reward.type,
    value: rewardValue(reward, campaign),
    object: 'reward' as const,
  };
}
