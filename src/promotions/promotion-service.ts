import { insertCampaign } from '../campaigns/campaign-service';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { PromotionTierDoc } from '../models/promotion-tier';
import type { RedemptionService, StackableInput } from '../redemptions/redemption-service';
import type { ValidationRuleService } from '../validation-rules/validation-rule-service';
import {
  assignHierarchies,
  type PromotionCampaignInput,
  type TierInput,
  type TierUpdateInput,
} from './promotion-input';
import type { TierJson } from './tier-json';
import { validatePromotions } from './promotion-validate';
import { promotionCampaign, TierReads } from './tier-reads';

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
 * Reads and JSON are `tier-reads`; the legacy validate is `promotion-validate`.
 */
export class PromotionService {
  private readonly reads: TierReads;

  constructor(
    private readonly models: Models,
    private readonly rules: ValidationRuleService,
    private readonly redemptions: RedemptionService,
  ) {
    this.reads = new TierReads(models);
  }

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
  promotionOf(campaign: CampaignDoc) {
    return this.reads.promotionOf(campaign);
  }

  listTiers(campaignRef: string): Promise<TierJson[]> {
    return this.reads.listTiers(campaignRef);
  }

  listAll(options: Parameters<TierReads['listAll']>[0]) {
    return this.reads.listAll(options);
  }

  getTier(id: string): Promise<PromotionTierDoc> {
    return this.reads.getTier(id);
  }

  tierJson(tier: PromotionTierDoc): Promise<TierJson> {
    return this.reads.tierJson(tier);
  }

  /** The legacy `promotions.validate` (see `validatePromotions`). */
  validate(input: Omit<StackableInput, 'redeemables'>, options: { audienceRulesOnly?: boolean } = {}) {
    return validatePromotions({ models: this.models, redemptions: this.redemptions }, input, options);
  }

  async createTier(campaignRef: string, input: TierInput): Promise<PromotionTierDoc> {
    const campaign = await promotionCampaign(this.models, campaignRef);
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
    for (const key of ['name', 'banner', 'action', 'hierarchy', 'active', 'metadata'] as const) {
      if (input[key] === null) unset[key] = 1;
      else if (input[key] !== undefined) set[key] = input[key];
    }
    for (const key of ['start_date', 'expiration_date'] as const) {
      const value = input[key];
      if (value === null) unset[key] = 1;
      else if (value !== undefined) set[key] = new Date(value);
    }
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

  private async unknownRules(fields: Array<{ field: string; ids: readonly string[] }>): Promise<Problem[]> {
    const missing = new Set(await this.rules.missing(fields.flatMap((f) => f.ids)));
    return fields.flatMap((f) =>
      f.ids.flatMap((id, i) =>
        missing.has(id) ? [{ field: `${f.field}.${i}`, reason: `validation rule ${id} not found` }] : [],
      ),
    );
  }
}
