import type { Client } from '@temporalio/client';
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
import { reconcile, startOnce, type WriteThenStart } from '../temporal/reconciler';
import { AUTOMATIC_LIVE, MANUAL_RUNNING, WORKFLOW_RUNNING } from './statuses';

/**
 * A distribution's workflow, as a write-then-start case: started once under its id after the
 * document is written. The reconciler starts one a crash left unstarted and records the end of
 * one ended from outside without running its own code (a terminate, a timeout) — never a new run.
 */
export class DistributionRuns implements WriteThenStart<DistributionDoc> {
  readonly closed: NonNullable<WriteThenStart<DistributionDoc>['closed']> = {
    workflowId: (d) => distributionWorkflowId(d._id),
    listedRunning: (docs) => this.listedRunning(docs),
    recordClosed: (d, workflowStatus) => this.recordClosed(d._id, workflowStatus),
  };

  constructor(
    private readonly models: Models,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly logger: Logger,
  ) {}

  reconcile(olderThanMs = 10_000): Promise<number> {
    return reconcile(this.temporal, this, olderThanMs);
  }

  stuck(before: Date): Promise<DistributionDoc[]> {
    return this.models.Distribution.find({
      $or: [
        { 'trigger.type': 'manual', status: { $in: [...MANUAL_RUNNING] } },
        { 'trigger.type': { $ne: 'manual' }, status: { $in: [...AUTOMATIC_LIVE] } },
      ],
      updated_at: { $lt: before },
    }).lean();
  }

  /** Starts a distribution's workflow (manual or automatic); false when one with its id was ever started (running or closed). */
  start(d: DistributionDoc): Promise<boolean> {
    const campaignId = d.trigger.campaign_id ?? (d.purpose.type === 'unique_code' ? d.purpose.campaign_id : undefined);
    return startOnce<DistributionWorkflow>(
      this.temporal,
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
  }

  /**
   * Which of these have a running workflow, as one visibility query per 100 lists them; only the
   * others are described one by one (visibility may not list a run that started a moment ago).
   */
  private async listedRunning(docs: readonly DistributionDoc[]): Promise<Set<DistributionDoc>> {
    const ids = docs.map((d) => d._id);
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
    return new Set(docs.filter((d) => running.has(d._id)));
  }

  /** The workflow closed but the document still says it runs: record how it ended, if still so. */
  private async recordClosed(id: string, workflowStatus: string): Promise<void> {
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
}
