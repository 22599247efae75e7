import type { CampaignDoc } from '../models/campaign';
import type { PromotionTierDoc } from '../models/promotion-tier';

export type TierUnavailable = {
  key: 'promotion_inactive' | 'promotion_expired' | 'promotion_not_active';
  details: string;
};

/**
 * Whether a tier can be applied at `now`, before any rule is read: it and its campaign are
 * enabled, and `now` lies inside both their validity windows (a tier's dates narrow its
 * campaign's, never widen them).
 */
export function tierUnavailable(
  tier: Pick<PromotionTierDoc, '_id' | 'active' | 'start_date' | 'expiration_date'>,
  campaign: Pick<CampaignDoc, 'name' | 'active' | 'start_date' | 'expiration_date'>,
  now: Date,
): TierUnavailable | null {
  if (!campaign.active)
    return {
      key: 'promotion_inactive',
      details: `campaign ${campaign.name} of promotion tier ${tier._id} is disabled`,
    };
  if (!tier.active) return { key: 'promotion_inactive', details: `promotion tier ${tier._id} is disabled` };
  for (const end of [tier.expiration_date, campaign.expiration_date]) {
    if (end && new Date(end).getTime() < now.getTime())
      return {
        key: 'promotion_expired',
        details: `promotion tier ${tier._id} expired at ${new Date(end).toISOString()}`,
      };
  }
  for (const start of [tier.start_date, campaign.start_date]) {
    if (start && new Date(start).getTime() > now.getTime())
      return {
        key: 'promotion_not_active',
        details: `promotion tier ${tier._id} starts at ${new Date(start).toISOString()}`,
      };
  }
  return null;
}

/** The window a customer can use the tier in: the later start and the earlier end of tier and campaign. */
export function tierValidity(
  tier: Pick<PromotionTierDoc, 'start_date' | 'expiration_date'>,
  campaign: Pick<CampaignDoc, 'start_date' | 'expiration_date'>,
): { start_date: Date | null; expiration_date: Date | null } {
  const pick = (dates: Array<Date | undefined>, later: boolean): Date | null => {
    const times = dates.filter((d): d is Date => d !== undefined && d !== null).map((d) => new Date(d).getTime());
    if (times.length === 0) return null;
    return new Date(later ? Math.max(...times) : Math.min(...times));
  };
  return {
    start_date: pick([tier.start_date, campaign.start_date], true),
    expiration_date: pick([tier.expiration_date, campaign.expiration_date], false),
  };
}
