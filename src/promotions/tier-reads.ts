import { DomainError } from '../errors';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { PromotionTierDoc } from '../models/promotion-tier';
import type { ValidationRuleAssignmentDoc } from '../models/validation-rule';
import { tierUnavailable } from './tier-availability';
import { toTierJson, type TierJson } from './tier-json';

/** A PROMOTION campaign by id or name; 400 when the campaign has codes, not tiers. */
export async function promotionCampaign(models: Models, ref: string): Promise<CampaignDoc> {
  const campaign =
    (await models.Campaign.findById(ref).lean()) ?? (await models.Campaign.findOne({ name: ref }).lean());
  if (!campaign) throw DomainError.notFound('campaign', ref);
  if (campaign.campaign_type !== 'PROMOTION') {
    throw DomainError.invalid(
      'invalid_campaign_params',
      'Not a promotion campaign',
      `campaign ${campaign.name} is a ${campaign.campaign_type} campaign: only PROMOTION campaigns have tiers`,
    );
  }
  return campaign;
}

/** The campaigns of these tiers, by id. */
export async function campaignsOf(
  models: Models,
  tiers: readonly PromotionTierDoc[],
): Promise<Map<string, CampaignDoc>> {
  const ids = [...new Set(tiers.map((t) => t.campaign_id))];
  const docs = ids.length ? await models.Campaign.find({ _id: { $in: ids } }).lean() : [];
  return new Map(docs.map((c) => [c._id, c]));
}

/** Promotion tiers as the API shows them: with their campaign and validation rule assignments. */
export class TierReads {
  constructor(private readonly models: Models) {}

  /** The `promotion` field of a PROMOTION campaign's JSON: its tiers in order. */
  async promotionOf(campaign: CampaignDoc) {
    const tiers = await this.tiersJson(
      await this.models.PromotionTier.find({ campaign_id: campaign._id }).sort({ hierarchy: 1 }).lean(),
      [campaign],
    );
    return { object: 'list' as const, data_ref: 'tiers' as const, tiers, total: tiers.length, has_more: false };
  }

  async listTiers(campaignRef: string): Promise<TierJson[]> {
    const campaign = await promotionCampaign(this.models, campaignRef);
    return (await this.promotionOf(campaign)).tiers;
  }

  /**
   * Every tier, by campaign and hierarchy; `available` keeps the ones a customer could get now
   * (enabled, within dates). Filtered in memory: availability reads the campaign too, and a
   * deployment has tens of tiers, not thousands.
   */
  async listAll(options: {
    available?: boolean;
    limit: number;
    page: number;
  }): Promise<{ tiers: TierJson[]; total: number; has_more: boolean }> {
    const all = await this.models.PromotionTier.find({}).sort({ campaign_id: 1, hierarchy: 1 }).lean();
    const campaigns = await campaignsOf(this.models, all);
    const now = new Date();
    const kept =
      options.available === undefined
        ? all
        : all.filter((t) => {
            const c = campaigns.get(t.campaign_id);
            return (c !== undefined && tierUnavailable(t, c, now) === null) === options.available;
          });
    const start = (options.page - 1) * options.limit;
    const page = kept.slice(start, start + options.limit);
    return {
      tiers: await this.tiersJson(page, [...campaigns.values()]),
      total: kept.length,
      has_more: start + page.length < kept.length,
    };
  }

  async getTier(id: string): Promise<PromotionTierDoc> {
    const tier = await this.models.PromotionTier.findById(id).lean();
    if (!tier) throw DomainError.notFound('promotion_tier', id);
    return tier;
  }

  async tierJson(tier: PromotionTierDoc): Promise<TierJson> {
    const [json] = await this.tiersJson([tier]);
    if (!json) throw DomainError.notFound('promotion_tier', tier._id);
    return json;
  }

  private async tiersJson(tiers: readonly PromotionTierDoc[], known: readonly CampaignDoc[] = []): Promise<TierJson[]> {
    if (tiers.length === 0) return [];
    const campaigns = new Map(known.map((c) => [c._id, c]));
    const missing = tiers.filter((t) => !campaigns.has(t.campaign_id));
    if (missing.length) for (const [id, c] of await campaignsOf(this.models, missing)) campaigns.set(id, c);
    const assignments = await this.models.ValidationRuleAssignment.find({
      related_object_id: { $in: tiers.map((t) => t._id) },
    }).lean();
    const byTier = new Map<string, ValidationRuleAssignmentDoc[]>();
    for (const a of assignments) byTier.set(a.related_object_id, [...(byTier.get(a.related_object_id) ?? []), a]);
    return tiers.flatMap((t) => {
      const c = campaigns.get(t.campaign_id);
      return c ? [toTierJson(t, c, byTier.get(t._id) ?? [])] : [];
    });
  }
}
