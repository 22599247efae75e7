import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AppContext } from '../src/context';
import { audienceReady, audienceState, snapshotBatch, type AudienceState } from '../src/distributions/audience';
import { transientDeliveryFailure } from '../src/distributions/retry-failure';
import { deliverToCustomers } from '../src/distributions/delivery';
import { recordPoolExhausted, sendPoolExhaustedNotice, stopForExhaustedPool } from '../src/distributions/stop';
import { AppError } from '../src/http/errors';
import { batchId } from '../src/models/distribution-batch';
import { FINAL_DISTRIBUTION_STATUSES, type DistributionDoc, type DistributionStatus } from '../src/models/distribution';
import { messageId, type MessageStatus } from '../src/models/distribution-message';
import type { DistributionEdit } from '../workflows/distribution';

/** What the workflow needs of its distribution (payloads carry no Dates: ISO strings). */
export interface DistributionRunInfo {
  status: DistributionStatus;
  name: string;
  trigger: string;
  campaignId?: string;
  gracePeriodSeconds: number;
  sendAt?: string;
}

export interface DistributionMark {
  status: DistributionStatus;
  status_reason?: string;
  send_at?: string;
  started_at?: string;
  completed_at?: string;
  recipients_count?: number;
  /** A change an operator asked for (pause, resume, cancel of an automatic one) bumps the version, as an edit does. */
  bump_version?: boolean;
}

export interface BatchResult {
  counts: Record<MessageStatus, number>;
  poolExhausted?: { campaignId: string };
  /** Stopped part-way: the distribution was cancelled (its cancel flag set, or it ended). */
  stopped?: true;
}


/** Activities of manual distributions (audience snapshot, batch delivery, status). */
export function createDistributionActivities(ctx: AppContext) {
  const { Distribution, DistributionBatch, DistributionMessage } = ctx.models;

  async function load(id: string): Promise<DistributionDoc> {
    const distribution = await Distribution.findById(id).lean();
    if (!distribution) throw ApplicationFailure.nonRetryable(`distribution ${id} not found`, 'DistributionNotFound');
    return distribution;
  }

  return {
    async loadDistributionForRun(id: string): Promise<DistributionRunInfo> {
      const d = await load(id);
      return {
        status: d.status,
        name: d.name,
        trigger: d.trigger.type,
        ...(d.purpose.type === 'unique_code' ? { campaignId: d.purpose.campaign_id } : {}),
        gracePeriodSeconds: d.grace_period_seconds ?? ctx.settings.gracePeriodSeconds,
        ...(d.send_at ? { sendAt: new Date(d.send_at).toISOString() } : {}),
      };
    },

    /** Kept for runs recorded before audienceState: replaying them schedules this one. */
    async audienceReady(id: string): Promise<boolean> {
      return audienceReady(ctx, (await load(id)).audience);
    },

    async audienceState(id: string): Promise<AudienceState> {
      return audienceState(ctx, (await load(id)).audience);
    },

    /** Records a status change; a distribution already finished keeps its final status. */
    async markDistribution(id: string, mark: DistributionMark): Promise<{ updated: boolean }> {
      const { send_at, started_at, completed_at, bump_version, ...rest } = mark;
      const $set = {
        ...rest,
        ...(send_at ? { send_at: new Date(send_at) } : {}),
        ...(started_at ? { started_at: new Date(started_at) } : {}),
        ...(completed_at ? { completed_at: new Date(completed_at) } : {}),
      };
      const { matchedCount } = await Distribution.updateOne({ _id: id, status: { $nin: FINAL_DISTRIBUTION_STATUSES.filter((s) => s !== mark.status) } }, { $set, ...(bump_version ? { $inc: { version: 1 } } : {}) });
      return { updated: matchedCount > 0 };
    },

    /** Writes snapshot batch `index` (customers after `after`); idempotent on retry. */
    async snapshotAudience(id: string, after: string | undefined, index: number): Promise<{ count: number; nextCursor?: string }> {
      return snapshotBatch(ctx, id, (await load(id)).audience, index, after);
    },

    /**
     * Delivers one snapshot batch. Messages left queued by a transient error fail the attempt,
     * so Temporal retries it with backoff — not before the provider's Retry-After.
     */
    async deliverBatch(id: string, index: number): Promise<BatchResult> {
      const [distribution, batch] = await Promise.all([load(id), DistributionBatch.findById(batchId(id, index)).lean()]);
      if (!batch) throw ApplicationFailure.nonRetryable(`batch ${index} of distribution ${id} not found`, 'BatchNotFound');
      const activity = Context.current();
      const beat = setInterval(() => activity.heartbeat(), 2_000);
      try {
        // Asked before every group of sends: on the native driver, as mongoose's query building costs more than this lookup.
        const stopFilter = { _id: id, $or: [{ status: { $in: [...FINAL_DISTRIBUTION_STATUSES] } }, { cancel_requested_at: { $exists: true } }] };
        const stopRequested = async () => !!(await Distribution.collection.findOne(stopFilter as never, { projection: { _id: 1 } }));
        const outcome = await deliverToCustomers(ctx, { distribution, run: 'manual', customerIds: batch.customer_ids, signal: activity.cancellationSignal, stopRequested });
        if (outcome.stopped) return { counts: outcome.counts, stopped: true };
        if (outcome.retry) throw transientDeliveryFailure(outcome.retry);
        if (!outcome.poolExhausted) await DistributionBatch.updateOne({ _id: batch._id }, { $set: { done_at: new Date() } });
        return { counts: outcome.counts, ...(outcome.poolExhausted ? { poolExhausted: outcome.poolExhausted } : {}) };
      } finally {
        clearInterval(beat);
      }
    },

    /** After the retry policy gave up: what is still queued in the batch failed for good. */
    async failQueuedMessages(id: string, index: number, error: string): Promise<{ failed: number }> {
      const [distribution, batch] = await Promise.all([load(id), DistributionBatch.findById(batchId(id, index)).lean()]);
      if (!batch) return { failed: 0 };
      const ids = batch.customer_ids.flatMap((c) => distribution.channels.map((_, i) => messageId(id, 'manual', c, i)));
      const { modifiedCount } = await DistributionMessage.updateMany({ _id: { $in: ids }, status: 'queued' }, { $set: { status: 'failed', reason: 'retries_exhausted', error } });
      return { failed: modifiedCount };
    },

    async stopForExhaustedPool(id: string, campaignId: string): Promise<{ stopped: boolean }> {
      return stopForExhaustedPool(ctx, id, campaignId);
    },

    async recordPoolExhausted(id: string, fromBatch: number): Promise<{ stopped: boolean }> {
      return recordPoolExhausted(ctx, id, fromBatch);
    },

    /** A resume: the distribution is sending again, and its pool_exhausted records go, to be delivered anew. */
    async reopenPoolExhausted(id: string): Promise<{ reopened: boolean }> {
      const { matchedCount } = await Distribution.updateOne(
        { _id: id, status: 'stopped', status_reason: 'pool_exhausted' },
        { $set: { status: 'sending' }, $unset: { status_reason: 1, completed_at: 1, operator_notified_at: 1 } },
      );
      if (matchedCount === 0) return { reopened: false };
      await DistributionMessage.deleteMany({ distribution_id: id, run: 'manual', status: 'skipped', reason: 'pool_exhausted' });
      return { reopened: true };
    },

    async sendPoolExhaustedNotice(id: string, campaignId: string): Promise<{ sent: boolean }> {
      return sendPoolExhaustedNotice(ctx, id, campaignId);
    },

    /** An invalid edit comes back as a non-retryable failure carrying the API error, so the API can answer with it. */
    async applyDistributionEdit(id: string, edit: DistributionEdit): Promise<{ version: number }> {
      try {
        const updated = await ctx.distributions.applyEdit(id, edit);
        return { version: updated.version };
      } catch (err) {
        if (err instanceof AppError) {
          throw ApplicationFailure.nonRetryable(err.message, 'AppError', { status: err.status, key: err.key, details: err.details, errors: err.extra.errors });
        }
        throw err;
      }
    },
  };
}
