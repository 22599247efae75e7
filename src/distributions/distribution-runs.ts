import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { AUTOMATIC_DISTRIBUTION_WORKFLOW } from '../../workflows/contracts/automatic-distribution';
import {
  DISTRIBUTION_WORKFLOW,
  distributionWorkflowId,
  type DistributionWorkflow,
} from '../../workflows/contracts/distribution';
import {
  CampaignIdKey,
  DistributionIdKey,
  DistributionStatusKey,
  TriggerKey,
} from '../../workflows/contracts/search-attributes';
import type { Logger } from '../logger';
import type { Models } from '../models';
import type { DistributionDoc } from '../models/distribution';
import { AUTOMATIC_LIVE, MANUAL_RUNNING, WORKFLOW_RUNNING } from './statuses';

/**
 * A distribution's workflow: started once under its id after the document is written, and the
 * reconciler for the crash between the two (and for a workflow ended from outside).
 */
export class DistributionRuns {
  constructor(
    private readonly models: Models,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly logger: Logger,
  ) {}

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
      { _id: id, status: { $in: [...WORKFLOW_RUNNING] } },
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
}
