import type { ChannelRegistry } from '../channels/channel';
import type { ConsentCatalog } from '../consents/consent-catalog';
import { DomainError, fieldErrors } from '../errors';
import type { Models } from '../models';
import type {
  DistributionAudience,
  DistributionConsents,
  DistributionDoc,
  DistributionPurpose,
  DistributionTrigger,
} from '../models/distribution';
import type { VariableScope } from '../templates/validate-template';
import type { DistributionEdit } from '../../workflows/contracts/distribution';
import { campaignSegment } from './campaign-segment';
import { asChannelInput, checkChannels } from './channel-checks';
import { editDistributionBody, type CreateDistributionInput, type EditDistributionInput } from './distribution-input';
import { invalid, type Problem } from './distribution-problems';
import { editableStatuses } from './statuses';
import { AUTOMATIC_TRIGGERS } from './triggers';
import { variableScope } from './variable-scope';

/** What a create stores once checked: everything but the fields the service sets itself. */
export type CheckedDistribution = Pick<DistributionDoc, 'trigger' | 'purpose' | 'audience' | 'consents' | 'channels'>;

/**
 * The validation of a distribution as a whole — trigger, purpose, audience, consents, channels,
 * every template variable against what the purpose and trigger provide — for a create and an
 * edit alike. Every problem is collected and thrown as one 400.
 */
export class DistributionChecks {
  constructor(
    private readonly models: Models,
    private readonly channels: ChannelRegistry,
    private readonly consents: ConsentCatalog,
  ) {}

  async checkCreate(input: CreateDistributionInput): Promise<CheckedDistribution> {
    const problems: Problem[] = [];
    const manual = input.trigger.type === 'manual';
    const purpose = await this.checkPurpose(input.purpose, problems);
    const trigger = await this.checkTrigger(input.trigger, input.purpose, problems);
    let audience: DistributionAudience = { type: 'trigger' };
    if (manual) {
      if (!input.audience)
        problems.push({
          field: 'audience',
          reason: 'a manual distribution needs an audience (a segment or a customer)',
        });
      else audience = (await this.checkAudience(input.audience, problems)) ?? audience;
    } else {
      if (input.audience)
        problems.push({
          field: 'audience',
          reason: 'an automatic distribution reaches the customer its event concerns; omit audience',
        });
      if (input.grace_period_seconds !== undefined)
        problems.push({ field: 'grace_period_seconds', reason: 'only manual distributions have a grace period' });
      if (input.notify_emails !== undefined)
        problems.push({
          field: 'notify_emails',
          reason: 'only manual distributions stop and notify; omit notify_emails',
        });
    }
    const consents = await this.checkConsents(input.consents, problems);
    const channels = await this.checkChannels(input.channels, variableScope(trigger, purpose), problems);
    if (problems.length > 0) throw invalid(problems);
    return { trigger, purpose, audience, consents, channels };
  }

  /** The fields an edit sets, validated like a create; 409 when the distribution is past editing. */
  async checkEdit(current: DistributionDoc, edit: DistributionEdit): Promise<Partial<DistributionDoc>> {
    if (!editableStatuses(current).includes(current.status)) {
      throw DomainError.conflict(
        'distribution_not_editable',
        'Distribution cannot be edited',
        `distribution ${current._id} is ${current.status}`,
      );
    }
    // The workflow hands the edit over unparsed: the same schema as the API's applies here.
    const parsed = editDistributionBody.safeParse(edit);
    if (!parsed.success) throw invalid(fieldErrors(parsed.error));
    const e: EditDistributionInput = parsed.data;
    const problems: Problem[] = [];
    if (Object.keys(e).length === 0)
      problems.push({ field: '(root)', reason: 'nothing to change: give name, audience, consents or channels' });
    const set: Partial<DistributionDoc> = {};
    if (e.name !== undefined) set.name = e.name;
    if (e.audience) {
      if (current.trigger.type !== 'manual')
        problems.push({
          field: 'audience',
          reason: 'an automatic distribution reaches the customer its event concerns; it has no audience to edit',
        });
      else {
        const audience = await this.checkAudience(e.audience, problems);
        if (audience) set.audience = audience;
      }
    }
    if (e.consents) set.consents = await this.checkConsents(e.consents, problems);
    // Every save retakes the saved templates its channels name: a PUT without channels re-pins the stored ones.
    const channels =
      e.channels ?? (current.channels.some((c) => c.template_id) ? current.channels.map(asChannelInput) : undefined);
    if (channels)
      set.channels = await this.checkChannels(channels, variableScope(current.trigger, current.purpose), problems);
    if (problems.length > 0) throw invalid(problems);
    return set;
  }

  private checkChannels(input: EditDistributionInput['channels'] & object, scope: VariableScope, problems: Problem[]) {
    return checkChannels({ models: this.models, channels: this.channels }, input, scope, problems);
  }

  private async checkPurpose(purpose: DistributionPurpose, problems: Problem[]): Promise<DistributionPurpose> {
    if (purpose.type === 'unique_code') {
      const campaign = await this.campaign(purpose.campaign_id);
      if (!campaign)
        problems.push({ field: 'purpose.campaign_id', reason: `campaign ${purpose.campaign_id} not found` });
      // A promotion has tiers, not codes: notifying about one is the `promotion` purpose.
      else if (campaign.campaign_type === 'PROMOTION')
        problems.push({
          field: 'purpose.campaign_id',
          reason: `campaign ${purpose.campaign_id} is a promotion and has no codes; use the promotion purpose with one of its tiers`,
        });
      return { type: 'unique_code', campaign_id: campaign?._id ?? purpose.campaign_id };
    }
    if (purpose.type === 'promotion' && !(await this.models.PromotionTier.exists({ _id: purpose.promotion_tier_id }))) {
      problems.push({
        field: 'purpose.promotion_tier_id',
        reason: `promotion tier ${purpose.promotion_tier_id} not found`,
      });
    }
    return purpose;
  }

  private async checkTrigger(
    input: DistributionTrigger,
    purpose: DistributionPurpose,
    problems: Problem[],
  ): Promise<DistributionTrigger> {
    const notHere = (field: keyof DistributionTrigger, why: string) =>
      problems.push({ field: `trigger.${field}`, reason: why });
    if (input.type === 'manual') {
      for (const f of ['segment_id', 'campaign_id', 'follow_campaign_segment'] as const)
        if (input[f] !== undefined) notHere(f, 'a manual distribution takes its recipients from audience');
      return { type: 'manual' };
    }
    const scope = AUTOMATIC_TRIGGERS[input.type].scope;
    if (scope === 'order') {
      for (const f of ['segment_id', 'campaign_id', 'follow_campaign_segment'] as const)
        if (input[f] !== undefined)
          notHere(f, `${input.type} fires for every order of a customer and takes no options`);
      return { type: input.type };
    }
    if (scope === 'campaign') {
      for (const f of ['segment_id', 'follow_campaign_segment'] as const)
        if (input[f] !== undefined) notHere(f, `${input.type} is narrowed by campaign_id, not a segment`);
      if (!input.campaign_id) {
        notHere('campaign_id', `${input.type} needs the campaign whose codes fire it`);
        return { type: input.type };
      }
      const campaignId = await this.campaignId(input.campaign_id);
      if (!campaignId) notHere('campaign_id', `campaign ${input.campaign_id} not found`);
      return { type: input.type, campaign_id: campaignId ?? input.campaign_id };
    }
    if (input.campaign_id !== undefined)
      notHere('campaign_id', `${input.type} is narrowed by a segment, not a campaign`);
    if (input.follow_campaign_segment) {
      if (input.segment_id !== undefined) {
        notHere('segment_id', 'give segment_id or follow_campaign_segment, not both');
        return { type: input.type };
      }
      if (purpose.type !== 'unique_code') {
        notHere('follow_campaign_segment', "following the campaign's segment needs a unique_code purpose");
        return { type: input.type };
      }
      const campaignId = await this.campaignId(purpose.campaign_id);
      if (!campaignId) return { type: input.type }; // already reported under purpose.campaign_id
      const segmentId = await campaignSegment(this.models, campaignId);
      if (!segmentId) {
        notHere(
          'follow_campaign_segment',
          `the validation rules of campaign ${campaignId} do not restrict it to one segment`,
        );
        return { type: input.type };
      }
      if (!(await this.segmentExists(segmentId)))
        notHere(
          'follow_campaign_segment',
          `segment ${segmentId} named by the rules of campaign ${campaignId} not found`,
        );
      return { type: input.type, segment_id: segmentId, follow_campaign_segment: true };
    }
    if (!input.segment_id) {
      notHere('segment_id', `${input.type} needs segment_id, or follow_campaign_segment with a unique_code purpose`);
      return { type: input.type };
    }
    if (!(await this.segmentExists(input.segment_id))) notHere('segment_id', `segment ${input.segment_id} not found`);
    return { type: input.type, segment_id: input.segment_id };
  }

  private async checkAudience(
    input: Exclude<DistributionAudience, { type: 'trigger' }>,
    problems: Problem[],
  ): Promise<DistributionAudience | undefined> {
    if (input.type === 'segment') {
      if (!(await this.segmentExists(input.segment_id)))
        problems.push({ field: 'audience.segment_id', reason: `segment ${input.segment_id} not found` });
      return input;
    }
    const { Customer } = this.models;
    const customer =
      (await Customer.findById(input.customer_id, { _id: 1, deleted_at: 1 }).lean()) ??
      (await Customer.findOne({ source_id_key: input.customer_id }, { _id: 1, deleted_at: 1 }).lean());
    if (!customer || customer.deleted_at) {
      problems.push({ field: 'audience.customer_id', reason: `customer ${input.customer_id} not found` });
      return undefined;
    }
    // Stored by id: a source_id can later be given to another customer.
    return { type: 'customer', customer_id: customer._id };
  }

  private async checkConsents(input: DistributionConsents, problems: Problem[]): Promise<DistributionConsents> {
    const required = [...new Set(input.required)];
    if (required.length === 0) return { verification: input.verification, required };
    try {
      const { consents } = await this.consents.resolve(required, true);
      // A group stands for its members at the time of saving, so delivery checks plain consent ids.
      return { verification: input.verification, required: [...consents.keys()] };
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind !== 'invalid') throw err;
      const unknown = (err.extra.errors as Problem[] | undefined) ?? [];
      for (const u of unknown) problems.push({ field: 'consents.required', reason: `${u.field}: ${u.reason}` });
      return { verification: input.verification, required };
    }
  }

  /** A campaign by id (or by its unique name, as elsewhere in the API); undefined when there is none. */
  private async campaign(idOrName: string): Promise<{ _id: string; campaign_type: string } | undefined> {
    const { Campaign } = this.models;
    const c =
      (await Campaign.findById(idOrName, { _id: 1, campaign_type: 1 }).lean()) ??
      (await Campaign.findOne({ name: idOrName }, { _id: 1, campaign_type: 1 }).lean());
    return c ?? undefined;
  }

  private async campaignId(idOrName: string): Promise<string | undefined> {
    return (await this.campaign(idOrName))?._id;
  }

  private async segmentExists(id: string): Promise<boolean> {
    const s = await this.models.Segment.findById(id, { _id: 1, deleted_at: 1 }).lean();
    return !!s && !s.deleted_at;
  }
}
