import { insertCampaign } from '../campaigns/campaign-service';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { PromotionTierDoc } from '../models/promotion-tier';
import type { ValidationRuleAssignmentDoc } from '../models/validation-rule';
import type { RedemptionService, StackableInput } from '../redemptions/redemption-service';
import type { ValidationRuleService } from '../validation-rules/validation-rule-service';
import {
  assignHierarchies,
  type PromotionCampaignInput,
  type TierInput,
  type TierUpdateInput,
} from './promotion-input';
import { tierUnavailable } from './tier-availability';
import { toTierJson, type TierJson } from './tier-json';

interface Problem {
  field: string;
  reason: string;
}

function invalidRules(problems: Problem[]): DomainError {
  return DomainError.invalid(
    'invalid_validation_rules',
    'Invalid validation rules',
    problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
    { errors: problems },
  );
}

function duplicateHierarchy(campaignId: string, hierarchy: number): DomainError {
  return new DomainError(
    'conflict',
    'duplicate_found',
    'Duplicate hierarchy',
    `hierarchy: campaign ${campaignId} already has a tier with hierarchy ${hierarchy}`,
    { errors: [{ field: 'hierarchy', reason: `taken by another tier of campaign ${campaignId}` }] },
  );
}

/**
 * PROMOTION campaigns and their tiers. A campaign and its tiers are several documents, so
 * everything that can be refused (name, hierarchy, rule ids) is checked before the first
 * write, and a failure after it removes what was written: a refused request leaves nothing.
 */
export class PromotionService {
  constructor(
    private readonly models: Models,
    private readonly rules: ValidationRuleService,
    private readonly redemptions: RedemptionService,
  ) {}

  async createCampaign(input: PromotionCampaignInput): Promise<CampaignDoc> {
    const problems = await this.unknownRules(
      input.promotion.tiers.map((t, i) => ({
        field: `promotion.tiers.${i}.validation_rules`,
        ids: t.validation_rules ?? [],
      })),
    );
    if (problems.length > 0) throw invalidRules(problems);
    const now = new Date();
    // No `voucher`: a promotion has no code template (see the campaign model).
    const campaign = {
      _id: newId('camp'),
      name: input.name,
      ...(input.description ? { description: input.description } : {}),
      campaign_type: 'PROMOTION',
      type: 'STATIC',
      vouchers_count: 0,
      ...(input.start_date ? { start_date: new Date(input.start_date) } : {}),
      ...(input.expiration_date ? { expiration_date: new Date(input.expiration_date) } : {}),
      join_once: false,
      metadata: input.metadata ?? {},
      active: true,
      vouchers_generation_status: 'DONE',
      generated_count: 0,
      created_at: now,
      updated_at: now,
    } as CampaignDoc;
    const hierarchies = assignHierarchies(
      input.promotion.tiers.map((t) => t.hierarchy),
      [],
    );
    const tiers = input.promotion.tiers.map((t, i) => this.tierDoc(campaign._id, t, hierarchies[i]!, now));
    await insertCampaign(this.models, campaign);
    try {
      await this.models.PromotionTier.insertMany(tiers);
      for (const [i, t] of input.promotion.tiers.entries()) {
        const ruleId = t.validation_rules?.[0];
        if (ruleId)
          await this.rules.assign(ruleId, { related_object_type: 'promotion_tier', related_object_id: tiers[i]!._id });
      }
    } catch (err) {
      await this.removeCampaignWrites(
        campaign._id,
        tiers.map((t) => t._id),
      );
      throw err;
    }
    return campaign;
  }

  /** The `promotion` field of a PROMOTION campaign's JSON: its tiers in order. */
  async promotionOf(campaign: CampaignDoc) {
    const tiers = await this.tiersJson(
      await this.models.PromotionTier.find({ campaign_id: campaign._id }).sort({ hierarchy: 1 }).lean(),
      [campaign],
    );
    return { object: 'list' as const, data_ref: 'tiers' as const, tiers, total: tiers.length, has_more: false };
  }

  async listTiers(campaignRef: string): Promise<TierJson[]> {
    const campaign = await this.promotionCampaign(campaignRef);
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
    const campaigns = await this.campaignsOf(all);
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

  async createTier(campaignRef: string, input: TierInput): Promise<PromotionTierDoc> {
    const campaign = await this.promotionCampaign(campaignRef);
    const problems = await this.unknownRules([{ field: 'validation_rules', ids: input.validation_rules ?? [] }]);
    if (problems.length > 0) throw invalidRules(problems);
    const taken = (await this.models.PromotionTier.find({ campaign_id: campaign._id }, { hierarchy: 1 }).lean()).map(
      (t) => t.hierarchy,
    );
    if (input.hierarchy !== undefined && taken.includes(input.hierarchy))
      throw duplicateHierarchy(campaign._id, input.hierarchy);
    const [hierarchy] = assignHierarchies([input.hierarchy], taken);
    const tier = this.tierDoc(campaign._id, input, hierarchy!, new Date());
    try {
      await this.models.PromotionTier.create(tier);
    } catch (err) {
      if (onlyDuplicateKeys(err)) throw duplicateHierarchy(campaign._id, tier.hierarchy);
      throw err;
    }
    const ruleId = input.validation_rules?.[0];
    if (ruleId) {
      try {
        await this.rules.assign(ruleId, { related_object_type: 'promotion_tier', related_object_id: tier._id });
      } catch (err) {
        await this.models.PromotionTier.deleteOne({ _id: tier._id });
        throw err;
      }
    }
    return tier;
  }

  /** Changes what the body gives; `validation_rules` replaces the tier's rule ([] removes it). */
  async updateTier(id: string, input: TierUpdateInput): Promise<PromotionTierDoc> {
    const tier = await this.getTier(id);
    const problems = await this.unknownRules([{ field: 'validation_rules', ids: input.validation_rules ?? [] }]);
    if (problems.length > 0) throw invalidRules(problems);
    const start =
      input.start_date === undefined
        ? tier.start_date
        : input.start_date === null
          ? undefined
          : new Date(input.start_date);
    const end =
      input.expiration_date === undefined
        ? tier.expiration_date
        : input.expiration_date === null
          ? undefined
          : new Date(input.expiration_date);
    if (start && end && start >= end)
      throw DomainError.invalid('invalid_payload', 'Invalid request', 'expiration_date: must be after start_date', {
        errors: [{ field: 'expiration_date', reason: 'must be after start_date' }],
      });
    if (
      input.hierarchy !== undefined &&
      input.hierarchy !== tier.hierarchy &&
      (await this.models.PromotionTier.exists({ campaign_id: tier.campaign_id, hierarchy: input.hierarchy }))
    ) {
      throw duplicateHierarchy(tier.campaign_id, input.hierarchy);
    }
    const set: Record<string, unknown> = {};
    const unset: Record<string, 1> = {};
    for (const key of ['name', 'banner', 'action', 'hierarchy', 'active', 'metadata'] as const)
      if (input[key] !== undefined) input[key] === null ? (unset[key] = 1) : (set[key] = input[key]);
    for (const key of ['start_date', 'expiration_date'] as const)
      if (input[key] !== undefined) input[key] === null ? (unset[key] = 1) : (set[key] = new Date(input[key]!));
    let updated: PromotionTierDoc | null;
    try {
      updated = await this.models.PromotionTier.findOneAndUpdate(
        { _id: tier._id },
        { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
        { returnDocument: 'after' },
      ).lean();
    } catch (err) {
      if (onlyDuplicateKeys(err) && input.hierarchy !== undefined)
        throw duplicateHierarchy(tier.campaign_id, input.hierarchy);
      throw err;
    }
    if (!updated) throw DomainError.notFound('promotion_tier', id);
    if (input.validation_rules) {
      const ruleId = input.validation_rules[0];
      if (ruleId)
        await this.rules.assign(ruleId, { related_object_type: 'promotion_tier', related_object_id: tier._id }, true);
      else await this.models.ValidationRuleAssignment.deleteOne({ related_object_id: tier._id });
    }
    return updated;
  }

  async setTierActive(id: string, active: boolean): Promise<PromotionTierDoc> {
    const updated = await this.models.PromotionTier.findOneAndUpdate(
      { _id: id },
      { $set: { active } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw DomainError.notFound('promotion_tier', id);
    return updated;
  }

  /** Deletes a tier and its rule assignment; its redemptions stay, as a deleted voucher's do. */
  async deleteTier(id: string): Promise<void> {
    const deleted = await this.models.PromotionTier.findByIdAndDelete(id).lean();
    if (!deleted) throw DomainError.notFound('promotion_tier', id);
    await this.models.ValidationRuleAssignment.deleteOne({ related_object_id: id });
  }

  /**
   * The legacy `promotions.validate`: the tiers this customer and order qualify for now, each
   * with its discount on the whole order, in campaign then hierarchy order.
   */
  async validate(input: Omit<StackableInput, 'redeemables'>, options: { audienceRulesOnly?: boolean } = {}) {
    const all = await this.models.PromotionTier.find({ active: true }).sort({ campaign_id: 1, hierarchy: 1 }).lean();
    const campaigns = await this.campaignsOf(all);
    const now = new Date();
    const candidates = all.filter((t) => {
      const c = campaigns.get(t.campaign_id);
      return c !== undefined && tierUnavailable(t, c, now) === null;
    });
    const { customer, amount, checks } = await this.redemptions.checkEach(
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

  private async removeCampaignWrites(campaignId: string, tierIds: string[]): Promise<void> {
    await this.models.ValidationRuleAssignment.deleteMany({ related_object_id: { $in: tierIds } });
    await this.models.PromotionTier.deleteMany({ _id: { $in: tierIds } });
    await this.models.Campaign.deleteOne({ _id: campaignId });
  }

  private tierDoc(campaignId: string, t: TierInput, hierarchy: number, now: Date): PromotionTierDoc {
    return {
      _id: newId('promo'),
      campaign_id: campaignId,
      name: t.name,
      ...(t.banner !== undefined ? { banner: t.banner } : {}),
      action: t.action,
      hierarchy,
      active: t.active ?? true,
      ...(t.start_date ? { start_date: new Date(t.start_date) } : {}),
      ...(t.expiration_date ? { expiration_date: new Date(t.expiration_date) } : {}),
      metadata: t.metadata ?? {},
      redeemed_count: 0,
      orders_total_amount: 0,
      orders_discount_amount: 0,
      created_at: now,
      updated_at: now,
    };
  }

  private async promotionCampaign(ref: string): Promise<CampaignDoc> {
    const campaign =
      (await this.models.Campaign.findById(ref).lean()) ?? (await this.models.Campaign.findOne({ name: ref }).lean());
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

  private async unknownRules(fields: Array<{ field: string; ids: readonly string[] }>): Promise<Problem[]> {
    const missing = new Set(await this.rules.missing(fields.flatMap((f) => f.ids)));
    return fields.flatMap((f) =>
      f.ids.flatMap((id, i) =>
        missing.has(id) ? [{ field: `${f.field}.${i}`, reason: `validation rule ${id} not found` }] : [],
      ),
    );
  }

  private async campaignsOf(tiers: readonly PromotionTierDoc[]): Promise<Map<string, CampaignDoc>> {
    const ids = [...new Set(tiers.map((t) => t.campaign_id))];
    const docs = ids.length ? await this.models.Campaign.find({ _id: { $in: ids } }).lean() : [];
    return new Map(docs.map((c) => [c._id, c]));
  }

  private async tiersJson(tiers: readonly PromotionTierDoc[], known: readonly CampaignDoc[] = []): Promise<TierJson[]> {
    if (tiers.length === 0) return [];
    const campaigns = new Map(known.map((c) => [c._id, c]));
    const missing = tiers.filter((t) => !campaigns.has(t.campaign_id));
    if (missing.length) for (const [id, c] of await this.campaignsOf(missing)) campaigns.set(id, c);
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
