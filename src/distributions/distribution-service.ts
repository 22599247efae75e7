import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  distributionWorkflowId,
  editUpdate,
  type DistributionEdit,
  type DistributionProgress,
} from '../../workflows/contracts/distribution';
import type { ChannelRegistry } from '../channels/channel';
import type { ConsentCatalog } from '../consents/consent-catalog';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Logger } from '../logger';
import type { Models } from '../models';
import type { DistributionDoc } from '../models/distribution';
import { domainErrorFromFailure } from '../temporal/error-failure';
import { DistributionChecks } from './distribution-checks';
import type { CreateDistributionInput } from './distribution-input';
import { DistributionLifecycle, type OperatorAnswer } from './distribution-lifecycle';
import { DistributionRuns } from './distribution-runs';
import type { DistributionSettings } from './settings';
import { editableStatuses } from './statuses';

export type { OperatorAnswer } from './distribution-lifecycle';

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

/**
 * Distributions: validation (`distribution-checks`), storage and the operator's controls
 * (`distribution-lifecycle`). A distribution is written first, then its workflow started
 * (`distribution-runs`; the reconciler starts any a crash missed); while that workflow runs,
 * it owns the status, so cancel / send now / edit go through it.
 */
export class DistributionService {
  private readonly checks: DistributionChecks;
  private readonly lifecycle: DistributionLifecycle;
  private readonly runs: DistributionRuns;

  constructor(
    private readonly models: Models,
    private readonly temporal: Client,
    taskQueue: string,
    private readonly settings: DistributionSettings,
    channels: ChannelRegistry,
    consents: ConsentCatalog,
    logger: Logger,
  ) {
    this.checks = new DistributionChecks(models, channels, consents);
    this.lifecycle = new DistributionLifecycle(models, temporal);
    this.runs = new DistributionRuns(models, temporal, taskQueue, logger);
  }

  get(id: string): Promise<DistributionDoc> {
    return this.lifecycle.get(id);
  }

  async create(input: CreateDistributionInput): Promise<DistributionDoc> {
    const checked = await this.checks.checkCreate(input);
    const manual = input.trigger.type === 'manual';
    const now = new Date();
    const doc: DistributionDoc = {
      _id: newId('distr'),
      name: input.name,
      ...checked,
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
    await this.checks.checkEdit(current, edit);
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
    const set = await this.checks.checkEdit(current, edit);
    const updated = await this.models.Distribution.findOneAndUpdate(
      { _id: id, version: current.version, status: { $in: editableStatuses(current) } },
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

  cancel(id: string, reason?: string): Promise<OperatorAnswer> {
    return this.lifecycle.cancel(id, reason);
  }

  sendNow(id: string): Promise<OperatorAnswer> {
    return this.lifecycle.sendNow(id);
  }

  pause(id: string): Promise<DistributionDoc> {
    return this.lifecycle.pause(id);
  }

  resume(id: string): Promise<OperatorAnswer> {
    return this.lifecycle.resume(id);
  }

  progress(d: DistributionDoc): Promise<DistributionProgress | undefined> {
    return this.lifecycle.progress(d);
  }

  reconcile(olderThanMs?: number): Promise<number> {
    return this.runs.reconcile(olderThanMs);
  }

  startWorkflow(d: DistributionDoc): Promise<boolean> {
    return this.runs.start(d);
  }
}
