import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { AUTOMATIC_DISTRIBUTION_WORKFLOW, pauseSignal } from '../../workflows/contracts/automatic-distribution';
import {
  cancelSignal,
  DISTRIBUTION_WORKFLOW,
  distributionWorkflowId,
  editUpdate,
  progressQuery,
  resumeSignal,
  sendNowSignal,
  type DistributionEdit,
  type DistributionProgress,
  type DistributionWorkflow,
} from '../../workflows/contracts/distribution';
import type { AccountSpec, ChannelRegistry } from '../channels/channel';
import { fieldMapOf, PROFILE_FIELD_CHANNEL_TYPES } from '../channels/profile-fields';
import type { ConsentCatalog } from '../consents/consent-catalog';
import { DomainError, fieldErrors } from '../errors';
import { newId } from '../ids';
import type { Logger } from '../logger';
import type { Models } from '../models';
import {
  FINAL_DISTRIBUTION_STATUSES,
  type DistributionAudience,
  type DistributionChannel,
  type DistributionConsents,
  type DistributionDoc,
  type DistributionPurpose,
  type DistributionStatus,
  type DistributionTrigger,
} from '../models/distribution';
import {
  CampaignIdKey,
  DistributionIdKey,
  DistributionStatusKey,
  TriggerKey,
} from '../../workflows/contracts/search-attributes';
import { domainErrorFromFailure } from '../temporal/error-failure';
import type { TemplateDoc } from '../models/template';
import { pinnedCopy, savedTemplateProblems } from '../templates/saved-template';
import { validateTemplate, type VariableScope } from '../templates/validate-template';
import { campaignSegment } from './campaign-segment';
import { editDistributionBody, type CreateDistributionInput, type EditDistributionInput } from './distribution-input';
import type { DistributionSettings } from './settings';
import { AUTOMATIC_TRIGGERS } from './triggers';
import { savedTemplates } from './template-pin';
import { variableScope } from './variable-scope';

type ChannelInput = (EditDistributionInput['channels'] & object)[number];

interface Problem {
  field: string;
  reason: string;
  line?: number;
}

/** Manual statuses in which the workflow still runs (the reconciler starts a never-started one). */
const MANUAL_RUNNING: readonly DistributionStatus[] = ['waiting_for_audience', 'scheduled', 'sending'];
/** Before sending starts: edit, send now. */
const MANUAL_PENDING: readonly DistributionStatus[] = ['waiting_for_audience', 'scheduled'];
const AUTOMATIC_LIVE: readonly DistributionStatus[] = ['active', 'paused'];

const PROGRESS_TIMEOUT_MS = 2_000;
/** How long cancel and send now wait for the workflow to record what it did before answering 202. */
const ACK_TIMEOUT_MS = 5_000;
const ACK_POLL_MS = 100;

/** What an operator's cancel / send now led to: `acknowledged` once the workflow recorded it. */
export interface OperatorAnswer {
  distribution: DistributionDoc;
  acknowledged: boolean;
}
function invalid(problems: Problem[]): DomainError {
  return DomainError.invalid(
    'invalid_distribution',
    'Invalid distribution',
    problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
    { errors: problems },
  );
}

/** The workflow's validator refused the edit: it is cancelled, or sending has started. */
function rejectedEdit(id: string, err: WorkflowUpdateFailedError): DomainError {
  const said = err.cause?.message ?? '';
  if (said.includes('cancelled'))
    return DomainError.conflict(
      'distribution_not_editable',
      'Distribution cannot be edited',
      `distribution ${id} is being cancelled`,
    );
  return DomainError.conflict(
    'distribution_already_sending',
    'Distribution already sending',
    `distribution ${id} can no longer be edited: sending has started`,
  );
}

/** A provider type sends through an account of its own type; a built-in one takes none. */
function checkChannelAccount(
  type: string,
  spec: AccountSpec | undefined,
  channelId: string | undefined,
  accountTypes: Map<string, string>,
): string | undefined {
  if (!spec) return channelId ? `channel type ${type} sends without an account; omit channel_id` : undefined;
  if (!channelId)
    return spec.optional
      ? undefined
      : `channel type ${type} sends through a provider account: give channel_id (create one with POST /v1/channels)`;
  const found = accountTypes.get(channelId);
  if (!found) return `channel ${channelId} not found`;
  if (found !== type) return `channel ${channelId} is a ${found} account, not ${type}`;
  return undefined;
}

/** A CRM channel's field map may only name variables the distribution fills (the default map names `voucher.code`). */
function profileFieldProblems(settings: Record<string, unknown>, scope: VariableScope, field: string): Problem[] {
  if (settings.fields !== undefined && (typeof settings.fields !== 'object' || settings.fields === null)) return []; // validateSettings reports it
  return Object.entries(fieldMapOf(settings)).flatMap(([name, path]) => {
    const root = path.split('.')[0]!;
    if (scope.has(root)) return [];
    const given = settings.fields !== undefined;
    return [
      {
        field: given ? `${field}.${name}` : field,
        reason: `${given ? '' : `without fields the channel writes ${name} = ${path}; `}variable "${path}": ${scope.why(root)}`,
      },
    ];
  });
}

/** A stored channel as an edit would give it: by its template_id when it names one, so the edit copies the latest version. */
function asChannelInput(c: DistributionChannel): ChannelInput {
  return {
    type: c.type,
    settings: c.settings,
    ...(c.template_id
      ? { template_id: c.template_id }
      : { template: c.template as NonNullable<ChannelInput['template']> }),
    ...(c.channel_id ? { channel_id: c.channel_id } : {}),
    ...(c.delivery ? { delivery: c.delivery } : {}),
  };
}

function isFinal(d: DistributionDoc): boolean {
  return !(d.trigger.type === 'manual' ? MANUAL_RUNNING : AUTOMATIC_LIVE).includes(d.status);
}

function finalConflict(d: DistributionDoc): DomainError {
  return DomainError.conflict(
    'distribution_final',
    'Distribution already finished',
    `distribution ${d._id} is ${d.status}`,
  );
}

/**
 * Distributions: validation, storage and the operator's controls. A manual one is written
 * first, then its workflow started (the reconciler starts any a crash missed); while that
 * workflow runs, it owns the status, so cancel / send now / edit go through it.
 */
export class DistributionService {
  constructor(
    private readonly models: Models,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly settings: DistributionSettings,
    private readonly channels: ChannelRegistry,
    private readonly consents: ConsentCatalog,
    private readonly logger: Logger,
  ) {}

  async get(id: string): Promise<DistributionDoc> {
    const d = await this.models.Distribution.findById(id).lean();
    if (!d) throw DomainError.notFound('distribution', id);
    return d;
  }

  async create(input: CreateDistributionInput): Promise<DistributionDoc> {
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

    const now = new Date();
    const doc: DistributionDoc = {
      _id: newId('distr'),
      name: input.name,
      trigger,
      purpose,
      audience,
      consents,
      channels,
      // A manual one waits until its workflow has seen the audience synced; an automatic one fires from now on.
      status: manual ? 'waiting_for_audience' : 'active',
      ...(manual ? { grace_period_seconds: input.grace_period_seconds ?? this.settings.gracePeriodSeconds } : {}),
      ...(input.notify_emails?.length ? { notify_emails: [...new Set(input.notify_emails)] } : {}),
      metadata: input.metadata ?? {},
      version: 1,
      created_at: now,
      updated_at: now,
    };
    await this.models.Distribution.create([doc], { timestamps: false });
    // Written first: a crash before the start leaves it to the reconciler.
    await this.startWorkflow(doc);
    return doc;
  }

  /** PUT: a manual distribution's edit goes through its workflow (which refuses once sending started). */
  async edit(id: string, edit: DistributionEdit): Promise<DistributionDoc> {
    const current = await this.get(id);
    if (current.trigger.type !== 'manual') return this.applyEdit(id, edit);
    // Checked here too, so an invalid edit is a plain 400 without a round trip through the workflow.
    await this.checkEdit(current, edit);
    try {
      await this.temporal.workflow.getHandle(distributionWorkflowId(id)).executeUpdate(editUpdate, { args: [edit] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // No workflow runs (it will be restarted by the reconciler and reads the stored document): store directly.
        return this.applyEdit(id, edit);
      }
      if (err instanceof WorkflowUpdateFailedError) throw domainErrorFromFailure(err) ?? rejectedEdit(id, err);
      throw err;
    }
    return this.get(id);
  }

  /** Validates an edit and stores it (conditional on the version); throws DomainError (4xx) when invalid. */
  async applyEdit(id: string, edit: DistributionEdit): Promise<DistributionDoc> {
    const current = await this.get(id);
    const set = await this.checkEdit(current, edit);
    const updated = await this.models.Distribution.findOneAndUpdate(
      { _id: id, version: current.version, status: { $in: this.editableStatuses(current) } },
      { $set: { ...set, updated_at: new Date() }, $inc: { version: 1 } },
      { returnDocument: 'after', timestamps: false },
    ).lean();
    if (!updated)
      throw DomainError.conflict(
        'distribution_changed',
        'Distribution changed meanwhile',
        `distribution ${id} was changed while this edit was checked; read it again and retry`,
      );
    return updated;
  }

  /**
   * Cancels. A manual one is flagged (so batches in flight stop at their next group of sends),
   * then told through its workflow, which records `cancelled`; the answer waits briefly for
   * that record. `acknowledged: false` when the workflow has not recorded it in time: it will.
   * An automatic one is told through its workflow the same way. One whose workflow is gone is
   * recorded here at once.
   */
  async cancel(id: string, reason?: string): Promise<OperatorAnswer> {
    const d = await this.get(id);
    if (isFinal(d)) throw finalConflict(d);
    if (d.trigger.type === 'manual')
      await this.models.Distribution.updateOne(
        { _id: id, status: { $in: [...MANUAL_RUNNING] } },
        { $set: { cancel_requested_at: new Date() } },
      );
    try {
      await this.temporal.workflow.getHandle(distributionWorkflowId(id)).signal(cancelSignal, reason ? { reason } : {});
      return this.awaitStatus(id, (s) => FINAL_DISTRIBUTION_STATUSES.includes(s));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // No workflow to tell: recording it here keeps the reconciler from starting one.
    }
    const current = await this.get(id);
    if (isFinal(current)) return { distribution: current, acknowledged: true };
    return {
      distribution: await this.setStatus(current, 'cancelled', {
        ...(reason ? { status_reason: reason } : {}),
        completed_at: new Date(),
      }),
      acknowledged: true,
    };
  }

  /** Ends the grace period; the answer waits briefly for the workflow to start sending (or to end). */
  async sendNow(id: string): Promise<OperatorAnswer> {
    const d = await this.get(id);
    if (d.trigger.type !== 'manual' || !MANUAL_PENDING.includes(d.status)) {
      throw DomainError.conflict(
        'distribution_not_pending',
        'Distribution cannot be sent now',
        `only a manual distribution waiting for its audience or in its grace period can be sent now; ${id} is ${d.status}`,
      );
    }
    try {
      await this.temporal.workflow.getHandle(distributionWorkflowId(id)).signal(sendNowSignal);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw DomainError.conflict(
          'distribution_not_running',
          'Distribution workflow not running',
          `the workflow of ${id} is not running; it is restarted shortly, retry then`,
        );
      throw err;
    }
    return this.awaitStatus(id, (s) => !MANUAL_PENDING.includes(s));
  }

  /** Polls the stored status (which the workflow writes) until `done`, for at most `ACK_TIMEOUT_MS`. */
  private async awaitStatus(id: string, done: (s: DistributionStatus) => boolean): Promise<OperatorAnswer> {
    const deadline = Date.now() + ACK_TIMEOUT_MS;
    for (;;) {
      const d = await this.get(id);
      if (done(d.status)) return { distribution: d, acknowledged: true };
      if (Date.now() >= deadline) return { distribution: d, acknowledged: false };
      await new Promise((r) => setTimeout(r, ACK_POLL_MS));
    }
  }

  async pause(id: string): Promise<DistributionDoc> {
    return this.switchAutomatic(id, 'active', 'paused');
  }

  /**
   * An automatic one: paused → active. A manual one stopped for pool_exhausted (codes added
   * since): its workflow delivers to exactly those skipped for pool_exhausted, then ends
   * `completed`; the answer waits briefly for it to be sending again.
   */
  async resume(id: string): Promise<OperatorAnswer> {
    const d = await this.get(id);
    const stoppedForPool = d.status === 'stopped' && d.status_reason === 'pool_exhausted';
    if (d.trigger.type !== 'manual' && !stoppedForPool)
      return { distribution: await this.switchAutomatic(id, 'paused', 'active'), acknowledged: true };
    if (!stoppedForPool) {
      throw DomainError.conflict(
        'distribution_not_resumable',
        'Distribution cannot be resumed',
        `only a distribution stopped for pool_exhausted (or a paused automatic one) can be resumed; ${id} is ${d.status}${d.status_reason ? ` (${d.status_reason})` : ''}`,
      );
    }
    try {
      await this.temporal.workflow.getHandle(distributionWorkflowId(id)).signal(resumeSignal);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError)
        throw DomainError.conflict(
          'distribution_not_resumable',
          'Distribution cannot be resumed',
          `the workflow of ${id} has ended: a distribution can be resumed for 30 days after it stopped`,
        );
      throw err;
    }
    return this.awaitStatus(id, (s) => s !== 'stopped');
  }

  /** What the workflow reports, for a running manual distribution; undefined when it does not answer. */
  async progress(d: DistributionDoc): Promise<DistributionProgress | undefined> {
    if (d.trigger.type !== 'manual' || !MANUAL_RUNNING.includes(d.status)) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), PROGRESS_TIMEOUT_MS);
    try {
      return await this.temporal.withAbortSignal(controller.signal, () =>
        this.temporal.workflow.getHandle(distributionWorkflowId(d._id)).query(progressQuery),
      );
    } catch {
      // Gone, failed or slow: the stored status still says where it is.
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * For each manual distribution that should be running: starts its workflow if it was never
   * started (a crash between the write and the start), and records the end of one that was
   * ended from outside without running its own code (a terminate, a timeout) — never a new run.
   */
  async reconcile(olderThanMs = 10_000): Promise<number> {
    const stuck = await this.models.Distribution.find({
      $or: [
        { 'trigger.type': 'manual', status: { $in: [...MANUAL_RUNNING] } },
        { 'trigger.type': { $ne: 'manual' }, status: { $in: [...AUTOMATIC_LIVE] } },
      ],
      updated_at: { $lt: new Date(Date.now() - olderThanMs) },
    }).lean();
    let started = 0;
    // One visibility query names the ones still running; only the others are described one by one
    // (describe is the authority: visibility may not list a run that started a moment ago).
    const running = await this.runningDistributionIds(stuck.map((d) => d._id));
    for (const d of stuck) {
      if (running.has(d._id)) continue;
      let closed: string;
      try {
        const { status } = await this.temporal.workflow.getHandle(distributionWorkflowId(d._id)).describe();
        if (status.name === 'RUNNING') continue;
        closed = status.name;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        if (await this.startWorkflow(d)) started++;
        continue;
      }
      await this.recordClosedWorkflow(d._id, closed);
    }
    return started;
  }

  /** Which of these distributions have a running workflow, as Temporal's visibility lists them. */
  private async runningDistributionIds(ids: readonly string[]): Promise<Set<string>> {
    const running = new Set<string>();
    for (let i = 0; i < ids.length; i += 100) {
      const list = ids
        .slice(i, i + 100)
        .map((id) => `'${id.replace(/['\\]/g, '')}'`)
        .join(', ');
      for await (const w of this.temporal.workflow.list({
        query: `ExecutionStatus = 'Running' AND ${DistributionIdKey.name} IN (${list})`,
      })) {
        const id = w.typedSearchAttributes.get(DistributionIdKey);
        if (id) running.add(id);
      }
    }
    return running;
  }

  /** The workflow closed but the document still says it runs: record how it ended, if still so. */
  private async recordClosedWorkflow(id: string, workflowStatus: string): Promise<void> {
    const ended: Partial<DistributionDoc> =
      workflowStatus === 'TERMINATED' || workflowStatus === 'TIMED_OUT'
        ? { status: 'cancelled', status_reason: 'terminated' }
        : workflowStatus === 'CANCELLED'
          ? { status: 'cancelled', status_reason: 'cancelled_in_temporal' }
          : { status: 'stopped', status_reason: `workflow_${workflowStatus.toLowerCase()}` };
    const { modifiedCount } = await this.models.Distribution.updateOne(
      { _id: id, status: { $in: [...MANUAL_RUNNING, ...AUTOMATIC_LIVE] } },
      { $set: { ...ended, completed_at: new Date(), updated_at: new Date() }, $inc: { version: 1 } },
      { timestamps: false },
    );
    if (modifiedCount > 0)
      this.logger.warn(
        { distributionId: id, workflowStatus },
        `distribution ${id} recorded ${ended.status}: its workflow was ${workflowStatus.toLowerCase()} from outside`,
      );
  }

  /** Starts a distribution's workflow (manual or automatic); false when one with its id was ever started (running or closed). */
  async startWorkflow(d: DistributionDoc): Promise<boolean> {
    const campaignId = d.trigger.campaign_id ?? (d.purpose.type === 'unique_code' ? d.purpose.campaign_id : undefined);
    try {
      await this.temporal.workflow.start<DistributionWorkflow>(
        d.trigger.type === 'manual' ? DISTRIBUTION_WORKFLOW : AUTOMATIC_DISTRIBUTION_WORKFLOW,
        {
          workflowId: distributionWorkflowId(d._id),
          taskQueue: this.taskQueue,
          args: [{ distributionId: d._id }],
          // A distribution's workflow runs once: a closed one is never reopened under its id.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: new TypedSearchAttributes([
            { key: DistributionIdKey, value: d._id },
            { key: TriggerKey, value: d.trigger.type },
            { key: DistributionStatusKey, value: d.status },
            ...(campaignId ? [{ key: CampaignIdKey, value: campaignId }] : []),
          ]),
        },
      );
      return true;
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
      throw err;
    }
  }

  private editableStatuses(d: DistributionDoc): readonly DistributionStatus[] {
    return d.trigger.type === 'manual' ? MANUAL_PENDING : AUTOMATIC_LIVE;
  }

  /** The fields an edit sets, validated like a create; 409 when the distribution is past editing. */
  private async checkEdit(current: DistributionDoc, edit: DistributionEdit): Promise<Partial<DistributionDoc>> {
    if (!this.editableStatuses(current).includes(current.status)) {
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

  private async switchAutomatic(
    id: string,
    from: DistributionStatus,
    to: DistributionStatus,
  ): Promise<DistributionDoc> {
    const d = await this.get(id);
    if (d.trigger.type === 'manual')
      throw DomainError.invalid(
        'not_automatic',
        'Not an automatic distribution',
        `distribution ${id} is manual: only automatic distributions can be paused and resumed`,
      );
    if (d.status === to) return d;
    if (d.status !== from) throw finalConflict(d);
    try {
      await this.temporal.workflow
        .getHandle(distributionWorkflowId(id))
        .signal(to === 'paused' ? pauseSignal : resumeSignal);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // No workflow (one made before automatic distributions had one): recorded here; the reconciler starts one.
      return this.setStatus(d, to);
    }
    const answer = await this.awaitStatus(id, (s) => s === to || FINAL_DISTRIBUTION_STATUSES.includes(s));
    return answer.distribution;
  }

  /** A status change conditional on the status it was read in, so a concurrent change is never overwritten. */
  private async setStatus(
    d: DistributionDoc,
    status: DistributionStatus,
    extra: Partial<DistributionDoc> = {},
  ): Promise<DistributionDoc> {
    const updated = await this.models.Distribution.findOneAndUpdate(
      { _id: d._id, status: d.status },
      { $set: { status, ...extra, updated_at: new Date() }, $inc: { version: 1 } },
      { returnDocument: 'after', timestamps: false },
    ).lean();
    if (updated) return updated;
    const now = await this.get(d._id);
    throw DomainError.conflict(
      'distribution_changed',
      'Distribution changed meanwhile',
      `distribution ${d._id} is now ${now.status}`,
    );
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

  private async checkChannels(
    input: EditDistributionInput['channels'] & object,
    scope: VariableScope,
    problems: Problem[],
  ): Promise<DistributionChannel[]> {
    const available = this.channels.types();
    const named = [...new Set(input.flatMap((c) => (c.channel_id ? [c.channel_id] : [])))];
    const [accountTypes, saved] = await Promise.all([
      (named.length
        ? this.models.ChannelAccount.find({ _id: { $in: named } }, { type: 1 }).lean()
        : Promise.resolve([])
      ).then((docs) => new Map(docs.map((a) => [a._id, a.type]))),
      savedTemplates(this.models, input),
    ]);
    return input.map((c, i) => {
      const settings = c.settings ?? {};
      const channel = available.includes(c.type) ? this.channels.get(c.type) : undefined;
      const message = this.channelMessage(c, i, saved, channel ? scope : undefined, problems);
      if (!channel) {
        problems.push({
          field: `channels.${i}.type`,
          reason: `unknown channel type ${c.type} (available: ${available.join(', ') || 'none'})`,
        });
      } else {
        for (const reason of channel.validateSettings(settings))
          problems.push({ field: `channels.${i}.settings`, reason });
        if (PROFILE_FIELD_CHANNEL_TYPES.includes(c.type))
          problems.push(...profileFieldProblems(settings, scope, `channels.${i}.settings.fields`));
        const accountProblem = checkChannelAccount(c.type, channel.account, c.channel_id, accountTypes);
        if (accountProblem) problems.push({ field: `channels.${i}.channel_id`, reason: accountProblem });
      }
      return {
        type: c.type,
        settings,
        ...message,
        ...(c.channel_id ? { channel_id: c.channel_id } : {}),
        ...(c.delivery ? { delivery: c.delivery } : {}),
      };
    });
  }

  /**
   * A channel's message: its inline template, or a copy of the saved one it names — checked the
   * same way (channel type, content, variables in scope). `scope` undefined: the channel type is
   * unknown, so only what does not depend on it is checked.
   */
  private channelMessage(
    c: ChannelInput,
    i: number,
    saved: Map<string, TemplateDoc>,
    scope: VariableScope | undefined,
    problems: Problem[],
  ): Pick<DistributionChannel, 'template' | 'template_id' | 'template_version'> {
    if (c.template_id === undefined) {
      if (!c.template) {
        problems.push({
          field: `channels.${i}.template`,
          reason: 'give a template, or the template_id of a saved one',
        });
        return { template: {} };
      }
      if (scope) problems.push(...validateTemplate(c.type, c.template, `channels.${i}.template`, scope));
      return { template: c.template };
    }
    const field = `channels.${i}.template_id`;
    if (c.template) problems.push({ field, reason: 'give template or template_id, not both' });
    const t = saved.get(c.template_id);
    if (!t) {
      problems.push({ field, reason: `template ${c.template_id} not found` });
      return { template: {}, template_id: c.template_id };
    }
    if (scope) {
      for (const p of savedTemplateProblems(t, c.type, scope)) {
        problems.push({
          field,
          ...(p.line !== undefined ? { line: p.line } : {}),
          reason: p.field ? `template ${t._id}, ${p.field}: ${p.reason}` : p.reason,
        });
      }
    }
    return pinnedCopy(t);
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
