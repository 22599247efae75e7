import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { pauseSignal } from '../../workflows/contracts/automatic-distribution';
import {
  cancelSignal,
  distributionWorkflowId,
  progressQuery,
  resumeSignal,
  sendNowSignal,
  type DistributionProgress,
} from '../../workflows/contracts/distribution';
import { DomainError } from '../errors';
import type { Models } from '../models';
import { FINAL_DISTRIBUTION_STATUSES, type DistributionDoc, type DistributionStatus } from '../models/distribution';
import { isFinal, MANUAL_PENDING, MANUAL_RUNNING } from './statuses';

const PROGRESS_TIMEOUT_MS = 2_000;
/** How long cancel and send now wait for the workflow to record what it did before answering 202. */
const ACK_TIMEOUT_MS = 5_000;
const ACK_POLL_MS = 100;

/** What an operator's cancel / send now led to: `acknowledged` once the workflow recorded it. */
export interface OperatorAnswer {
  distribution: DistributionDoc;
  acknowledged: boolean;
}

function finalConflict(d: DistributionDoc): DomainError {
  return DomainError.conflict(
    'distribution_final',
    'Distribution already finished',
    `distribution ${d._id} is ${d.status}`,
  );
}

/**
 * The operator's controls of a running distribution: cancel, send now, pause / resume, resume
 * after a pool stop, progress. While a workflow runs it owns the status, so each goes through it
 * (a signal or a query) and then reads what it recorded; one whose workflow is gone is recorded here.
 */
export class DistributionLifecycle {
  constructor(
    private readonly models: Models,
    private readonly temporal: Client,
  ) {}

  async get(id: string): Promise<DistributionDoc> {
    const d = await this.models.Distribution.findById(id).lean();
    if (!d) throw DomainError.notFound('distribution', id);
    return d;
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
    if (await this.signal(id, cancelSignal, reason ? { reason } : {}))
      return this.awaitStatus(id, (s) => FINAL_DISTRIBUTION_STATUSES.includes(s));
    // No workflow to tell: recording it here keeps the reconciler from starting one.
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
    if (!(await this.signal(id, sendNowSignal)))
      throw DomainError.conflict(
        'distribution_not_running',
        'Distribution workflow not running',
        `the workflow of ${id} is not running; it is restarted shortly, retry then`,
      );
    return this.awaitStatus(id, (s) => !MANUAL_PENDING.includes(s));
  }

  /** Signals the distribution's workflow; false when no workflow runs under its id. */
  private async signal<Args extends unknown[]>(
    id: string,
    def: SignalDefinition<Args>,
    ...args: Args
  ): Promise<boolean> {
    try {
      await this.temporal.workflow.getHandle(distributionWorkflowId(id)).signal(def, ...args);
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
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
    if (!(await this.signal(id, resumeSignal)))
      throw DomainError.conflict(
        'distribution_not_resumable',
        'Distribution cannot be resumed',
        `the workflow of ${id} has ended: a distribution can be resumed for 30 days after it stopped`,
      );
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
    // No workflow (one made before automatic distributions had one): recorded here; the reconciler starts one.
    if (!(await this.signal(id, to === 'paused' ? pauseSignal : resumeSignal))) return this.setStatus(d, to);
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
}
