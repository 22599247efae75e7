import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import {
  CAMPAIGN_GENERATION_WORKFLOW,
  campaignGenerationWorkflowId,
  type CampaignGenerationWorkflow,
} from '../../workflows/contracts/campaign-generation';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc, ReferralProgram } from '../models/campaign';
import { rewardRef } from '../rewards/reward-value';
import { reconcile, startOnce, type WriteThenStart } from '../temporal/reconciler';
import type { VoucherDoc } from '../models/voucher';
import { addVoucherCode } from './code-pool';
import type { CampaignInput, CampaignUpdateInput } from './campaign-input';
import { capacityProblem, normaliseCodeConfig } from './code-config';

const CAMPAIGN_TYPE_BY_VOUCHER = {
  DISCOUNT_VOUCHER: 'DISCOUNT_COUPONS',
  GIFT_VOUCHER: 'GIFT_VOUCHERS',
  LOYALTY_CARD: 'LOYALTY_PROGRAM',
} as const;

/** Unique-code campaigns: the document is written first, then a workflow generates its codes. */
/**
 * Stores a new campaign (of codes or a promotion) under its unique name: a taken name is a
 * 409, whether the campaign was there before or a concurrent create won (the unique index).
 */
export async function insertCampaign(models: Models, campaign: CampaignDoc): Promise<void> {
  try {
    await models.Campaign.create(campaign);
  } catch (err) {
    if (onlyDuplicateKeys(err))
      throw DomainError.conflict(
        'duplicate_found',
        'Duplicate campaign',
        `name: a campaign named ${campaign.name} exists`,
      );
    throw err;
  }
}

export class CampaignService {
  /** A campaign whose codes are `IN_PROGRESS` has a generation run. */
  private readonly generations: WriteThenStart<Pick<CampaignDoc, '_id'>> = {
    stuck: (before) =>
      this.models.Campaign.find(
        { vouchers_generation_status: 'IN_PROGRESS', created_at: { $lt: before } },
        { _id: 1 },
      ).lean(),
    start: (campaign) => this.startGeneration(campaign._id),
  };

  constructor(
    private readonly models: Models,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  async get(idOrName: string): Promise<CampaignDoc> {
    const campaign =
      (await this.models.Campaign.findById(idOrName).lean()) ??
      (await this.models.Campaign.findOne({ name: idOrName }).lean());
    if (!campaign) throw DomainError.notFound('campaign', idOrName);
    return campaign;
  }

  async create(input: CampaignInput): Promise<CampaignDoc> {
    const code_config = normaliseCodeConfig(input.voucher.code_config);
    const problem = capacityProblem(code_config, input.vouchers_count);
    if (problem)
      throw DomainError.invalid(
        'invalid_code_config',
        'Invalid code config',
        `voucher.${problem.field}: ${problem.reason}`,
        { errors: [{ field: `voucher.${problem.field}`, reason: problem.reason }] },
      );
    const template = { discount: 'DISCOUNT_VOUCHER', gift: 'GIFT_VOUCHER', loyalty_card: 'LOYALTY_CARD' } as const;
    for (const [field, type] of Object.entries(template)) {
      if (input.voucher[field as keyof typeof template] && input.voucher.type !== type) {
        throw DomainError.invalid(
          'invalid_campaign_params',
          'Invalid campaign',
          `voucher.${field}: only a ${type} has ${field}`,
        );
      }
    }
    const referralProgram = await this.referralProgram(input);
    const now = new Date();
    const campaign: CampaignDoc = {
      _id: newId('camp'),
      name: input.name,
      ...(input.description ? { description: input.description } : {}),
      campaign_type: input.campaign_type ?? CAMPAIGN_TYPE_BY_VOUCHER[input.voucher.type],
      type: input.type,
      vouchers_count: input.vouchers_count,
      voucher: { ...input.voucher, code_config, ...(referralProgram ? { is_referral_code: true } : {}) },
      ...(referralProgram ? { referral_program: referralProgram } : {}),
      ...(input.start_date ? { start_date: new Date(input.start_date) } : {}),
      ...(input.expiration_date ? { expiration_date: new Date(input.expiration_date) } : {}),
      join_once: input.join_once,
      metadata: input.metadata ?? {},
      active: true,
      vouchers_generation_status: 'IN_PROGRESS',
      generated_count: 0,
      created_at: now,
      updated_at: now,
    };
    await insertCampaign(this.models, campaign);
    await this.startGeneration(campaign._id);
    return campaign;
  }

  /** A referral program's codes are discount codes whose holder is the referrer; its reward must exist. */
  private async referralProgram(input: CampaignInput): Promise<ReferralProgram | undefined> {
    if (input.referral_program && input.campaign_type !== 'REFERRAL_PROGRAM')
      throw DomainError.invalid(
        'invalid_campaign_params',
        'Invalid campaign',
        'referral_program: only a REFERRAL_PROGRAM campaign has one',
      );
    if (input.campaign_type !== 'REFERRAL_PROGRAM') return undefined;
    if (input.voucher.type !== 'DISCOUNT_VOUCHER')
      throw DomainError.invalid(
        'invalid_campaign_params',
        'Invalid campaign',
        'voucher.type: a REFERRAL_PROGRAM gives DISCOUNT_VOUCHER codes',
      );
    const rewardId = input.referral_program?.referrer_reward?.id;
    const reward = rewardId ? await this.models.Reward.findById(rewardId).lean() : null;
    if (rewardId && !reward) throw DomainError.notFound('reward', rewardId);
    return {
      conversion_event_type: 'redemption',
      ...(reward ? { referrer_reward: await rewardRef(this.models, reward) } : {}),
    };
  }

  /** Starts generations that a crash between the write and the start left unstarted; a running one is left as is. */
  reconcile(olderThanMs = 10_000): Promise<number> {
    return reconcile(this.temporal, this.generations, olderThanMs);
  }

  private startGeneration(campaignId: string): Promise<boolean> {
    return startOnce<CampaignGenerationWorkflow>(this.temporal, CAMPAIGN_GENERATION_WORKFLOW, {
      workflowId: campaignGenerationWorkflowId(campaignId),
      taskQueue: this.taskQueue,
      args: [campaignId],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /** PUT /campaigns/:id: changes what an update may change; new dates also reach the codes not yet published. */
  async update(idOrName: string, input: CampaignUpdateInput): Promise<CampaignDoc> {
    const campaign = await this.get(idOrName);
    if (campaign.campaign_type === 'PROMOTION') {
      // A promotion has no code pool: AUTO_UPDATE would ask the pool to grow from a template it lacks.
      const refused = (['type', 'join_once'] as const).filter((key) => input[key] !== undefined);
      if (refused.length > 0)
        throw DomainError.invalid(
          'invalid_campaign_params',
          'Invalid campaign',
          refused.map((key) => `${key}: a PROMOTION campaign has no codes`).join('; '),
          { errors: refused.map((key) => ({ field: key, reason: 'a PROMOTION campaign has no codes' })) },
        );
    }
    const set: Record<string, unknown> = {};
    const unset: Record<string, 1> = {};
    for (const key of ['description', 'type', 'join_once', 'metadata'] as const)
      if (input[key] !== undefined) input[key] === null ? (unset[key] = 1) : (set[key] = input[key]);
    const dates: Record<string, Date | null> = {};
    for (const key of ['start_date', 'expiration_date'] as const)
      if (input[key] !== undefined) dates[key] = input[key] === null ? null : new Date(input[key]!);
    for (const [key, value] of Object.entries(dates)) value === null ? (unset[key] = 1) : (set[key] = value);
    const start = 'start_date' in dates ? dates.start_date : campaign.start_date;
    const end = 'expiration_date' in dates ? dates.expiration_date : campaign.expiration_date;
    if (start && end && start >= end)
      throw DomainError.invalid(
        'invalid_campaign_params',
        'Invalid campaign',
        'expiration_date: must be after start_date',
        { errors: [{ field: 'expiration_date', reason: 'must be after start_date' }] },
      );
    const updated = await this.models.Campaign.findOneAndUpdate(
      { _id: campaign._id },
      { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw DomainError.notFound('campaign', idOrName);
    if (Object.keys(dates).length > 0) {
      const voucherSet = Object.fromEntries(Object.entries(dates).filter(([, v]) => v !== null));
      const voucherUnset = Object.fromEntries(
        Object.entries(dates)
          .filter(([, v]) => v === null)
          .map(([k]) => [k, 1]),
      );
      await this.models.Voucher.updateMany(
        { campaign_id: campaign._id, holder_id: { $exists: false } },
        {
          ...(Object.keys(voucherSet).length ? { $set: voucherSet } : {}),
          ...(Object.keys(voucherUnset).length ? { $unset: voucherUnset } : {}),
        },
      );
    }
    return updated;
  }

  /**
   * Voucherify's "add vouchers to campaign": `count` more codes of the campaign's code_config,
   * generated by its generation workflow (vouchers_generation_status IN_PROGRESS, then DONE).
   */
  async addVouchers(idOrName: string, count: number): Promise<CampaignDoc> {
    const campaign = await this.codeCampaign(idOrName);
    const problem = capacityProblem(campaign.voucher.code_config, campaign.vouchers_count + count);
    if (problem)
      throw DomainError.invalid('invalid_code_config', 'Not enough codes left', `vouchers_count: ${problem.reason}`, {
        errors: [{ field: 'vouchers_count', reason: problem.reason }],
      });
    const updated = await this.models.Campaign.findOneAndUpdate(
      { _id: campaign._id },
      { $inc: { vouchers_count: count }, $set: { vouchers_generation_status: 'IN_PROGRESS' } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw DomainError.notFound('campaign', idOrName);
    // A finished generation workflow is started again under its id; a running one fills up to the new count.
    await this.startGeneration(campaign._id);
    return updated;
  }

  /** Adds one code given by the caller (Voucherify's "add voucher with a specific code to campaign"). */
  async addVoucherCode(idOrName: string, code: string): Promise<{ voucher: VoucherDoc; campaign: CampaignDoc }> {
    const campaign = await this.codeCampaign(idOrName);
    const added = await addVoucherCode(this.models, campaign, code);
    if (added === undefined) throw DomainError.notFound('campaign', idOrName);
    if (added === false)
      throw DomainError.conflict('duplicate_found', 'Duplicate voucher', `code: a voucher with code ${code} exists`);
    return { voucher: added, campaign };
  }

  private async codeCampaign(idOrName: string): Promise<CampaignDoc> {
    const campaign = await this.get(idOrName);
    if (campaign.campaign_type === 'PROMOTION')
      throw DomainError.invalid(
        'invalid_campaign_params',
        'Invalid campaign',
        `campaign ${campaign._id} is a PROMOTION campaign and has no codes`,
      );
    return campaign;
  }

  /** Enables or disables a campaign; publishing from a disabled one fails with `campaign_inactive`. */
  async setActive(idOrName: string, active: boolean): Promise<CampaignDoc> {
    const campaign = await this.get(idOrName);
    const updated = await this.models.Campaign.findOneAndUpdate(
      { _id: campaign._id },
      { $set: { active } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw DomainError.notFound('campaign', idOrName);
    return updated;
  }

  /**
   * Deletes a campaign at once (no bin) with its unpublished codes. Published codes stay
   * with their holders: the customer already received them, so they remain readable via
   * `GET /v1/vouchers/{code}` (with `campaign: null`). A generation still running is
   * terminated first so it does not refill the pool of a deleted campaign. A promotion's
   * tiers and their rule assignments go with it; their redemptions stay.
   */
  async delete(idOrName: string): Promise<void> {
    const campaign = await this.get(idOrName);
    if (campaign.vouchers_generation_status === 'IN_PROGRESS') {
      try {
        await this.temporal.workflow
          .getHandle(campaignGenerationWorkflowId(campaign._id))
          .terminate('campaign deleted');
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    await this.models.Campaign.deleteOne({ _id: campaign._id });
    await this.models.Voucher.deleteMany({ campaign_id: campaign._id, holder_id: { $exists: false } });
    if (campaign.campaign_type === 'PROMOTION') {
      const tiers = await this.models.PromotionTier.find({ campaign_id: campaign._id }, { _id: 1 }).lean();
      await this.models.ValidationRuleAssignment.deleteMany({ related_object_id: { $in: tiers.map((t) => t._id) } });
      await this.models.PromotionTier.deleteMany({ campaign_id: campaign._id });
    }
  }
}
