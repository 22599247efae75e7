import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AppContext } from '../src/context';
import { audienceReady, audienceState, snapshotBatch, snapshotBatches } from '../src/distributions/audience';
import { transientDeliveryFailure } from '../src/distributions/retry-failure';
import { deliverToCustomers, type DeliveryContext } from '../src/distributions/delivery';
import {
  recordPoolExhausted,
  sendPoolExhaustedNotice,
  stopForExhaustedPool,
  type StopContext,
} from '../src/distributions/stop';
import { pinTemplates } from '../src/distributions/template-pin';
import { batchId } from '../src/models/distribution-batch';
import { FINAL_DISTRIBUTION_STATUSES, type DistributionDoc } from '../src/models/distribution';
import { messageId } from '../src/models/distribution-message';
import { domainErrorToFailure } from '../src/temporal/error-failure';
import type { DistributionActivities } from '../workflows/contracts/activities';
import type {
  AudienceState,
  BatchResult,
  DistributionEdit,
  DistributionMark,
  DistributionRunInfo,
  SnapshotPages,
} from '../workflows/contracts/distribution';

/** What the manual distribution activities use: the data, delivery, stopping, and the edit path of the service. */
export type DistributionActivityDeps = DeliveryContext & StopContext & Pick<AppContext, 'distributions'>;

/** Activities of manual distributions (audience snapshot, batch delivery, status). */
export function createDistributionActivities(ctx: DistributionActivityDeps): DistributionActivities {
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

    /**
     * Records a status change; a distribution already finished keeps its final status. The mark
     * that starts sending also pins the saved templates its channels name (their latest version),
     * in the same write: a retry of it re-pins, harmlessly, since nothing is sent before it returns.
     */
    async markDistribution(id: string, mark: DistributionMark): Promise<{ updated: boolean }> {
      const { send_at, started_at, completed_at, bump_version, ...rest } = mark;
      const channels =
        mark.status === 'sending' && started_at
          ? await pinTemplates(ctx.models, await load(id), ctx.logger)
          : undefined;
      const $set = {
        ...rest,
        ...(channels ? { channels } : {}),
        ...(send_at ? { send_at: new Date(send_at) } : {}),
        ...(started_at ? { started_at: new Date(started_at) } : {}),
        ...(completed_at ? { completed_at: new Date(completed_at) } : {}),
      };
      const { matchedCount } = await Distribution.updateOne(
        { _id: id, status: { $nin: FINAL_DISTRIBUTION_STATUSES.filter((s) => s !== mark.status) } },
        { $set, ...(bump_version ? { $inc: { version: 1 } } : {}) },
      );
      return { updated: matchedCount > 0 };
    },

    /** Writes snapshot batch `index` (customers after `after`); idempotent on retry. */
    async snapshotAudience(
      id: string,
      after: string | undefined,
      index: number,
    ): Promise<{ count: number; nextCursor?: string }> {
      return snapshotBatch(ctx, id, (await load(id)).audience, index, after);
    },

    /** Writes the snapshot batches from `index` on (customers after `after`), several per call; idempotent on retry. */
    async snapshotAudiencePages(id: string, after: string | undefined, index: number): Promise<SnapshotPages> {
      return snapshotBatches(ctx, id, (await load(id)).audience, index, after);
    },

    /**
     * Delivers one snapshot batch. Messages left queued by a transient error fail the attempt,
     * so Temporal retries it with backoff — not before the provider's Retry-After.
     */
    async deliverBatch(id: string, index: number): Promise<BatchResult> {
      const [distribution, batch] = await Promise.all([
        load(id),
        DistributionBatch.findById(batchId(id, index)).lean(),
      ]);
      if (!batch)
        throw ApplicationFailure.nonRetryable(`batch ${index} of distribution ${id} not found`, 'BatchNotFound');
      const activity = Context.current();
      const beat = setInterval(() => activity.heartbeat(), 200);
      try {
        // Asked before every group of sends, so a stop recorded while a batch sends lets at most the
        // group it started finish (asked less often, more groups went out after a cancel than the
        // stop tests allow). On the native driver, as mongoose's query building costs more than this lookup.
        const stopFilter = {
          _id: id,
          $or: [{ status: { $in: [...FINAL_DISTRIBUTION_STATUSES] } }, { cancel_requested_at: { $exists: true } }],
        };
        const stopRequested = async () =>
          Boolean(await Distribution.collection.findOne(stopFilter as never, { projection: { _id: 1 } }));
        const outcome = await deliverToCustomers(ctx, {
          distribution,
          run: 'manual',
          customerIds: batch.customer_ids,
          signal: activity.cancellationSignal,
          stopRequested,
        });
        if (outcome.stopped) return { counts: outcome.counts, stopped: true };
        if (outcome.retry) throw transientDeliveryFailure(outcome.retry);
        if (!outcome.poolExhausted)
          await DistributionBatch.updateOne({ _id: batch._id }, { $set: { done_at: new Date() } });
        return { counts: outcome.counts, ...(outcome.poolExhausted ? { poolExhausted: outcome.poolExhausted } : {}) };
      } finally {
        clearInterval(beat);
      }
    },

    /** After the retry policy gave up: what is still queued in the batch failed for good. */
    async failQueuedMessages(id: string, index: number, error: string): Promise<{ failed: number }> {
      const [distribution, batch] = await Promise.all([
        load(id),
        DistributionBatch.findById(batchId(id, index)).lean(),
      ]);
      if (!batch) return { failed: 0 };
      const ids = batch.customer_ids.flatMap((c) => distribution.channels.map((_, i) => messageId(id, 'manual', c, i)));
      const { modifiedCount } = await DistributionMessage.updateMany(
        { _id: { $in: ids }, status: 'queued' },
        { $set: { status: 'failed', reason: 'retries_exhausted', error } },
      );
      return { failed: modifiedCount };
    },

    async stopForExhaustedPool(id: string, campaignId: string): Promise<{ stopped: boolean }> {
      return stopForExhaustedPool(ctx, id, campaignId);
    },

    async recordPoolExhausted(id: string, fromBatch: number): Promise<{ stopped: boolean }> {
      return recordPoolExhausted(ctx, id, fromBatch);
    },

    /**
     * A resume: a manual distribution is sending again, and its pool_exhausted records go, to be
     * delivered anew; an automatic one is active again (the events it missed while stopped keep
     * their pool_exhausted records: they are not replayed).
     */
    async reopenPoolExhausted(id: string): Promise<{ reopened: boolean }> {
      const d = await Distribution.findById(id, { trigger: 1 }).lean();
      const manual = d?.trigger.type === 'manual';
      const { matchedCount } = await Distribution.updateOne(
        { _id: id, status: 'stopped', status_reason: 'pool_exhausted' },
        {
          $set: { status: manual ? 'sending' : 'active' },
          $unset: { status_reason: 1, completed_at: 1, operator_notified_at: 1 },
          $inc: { version: 1 },
        },
      );
      if (matchedCount === 0 || !manual) return { reopened: matchedCount > 0 };
      await DistributionMessage.deleteMany({
        distribution_id: id,
        run: 'manual',
        status: 'skipped',
        reason: 'pool_exhausted',
      });
      return { reopened: true };
    },

    async sendPoolExhaustedNotice(id: string, campaignId: string): Promise<{ sent: boolean }> {
      return sendPoolExhaustedNotice(ctx, id, campaignId);
    },

    /** An invalid edit comes back as a non-retryable failure carrying the domain error, so the API can answer with it. */
    async applyDistributionEdit(id: string, edit: DistributionEdit): Promise<{ version: number }> {
      try {
        const updated = await ctx.distributions.applyEdit(id, edit);
        return { version: updated.version };
      } catch (err) {
        throw domainErrorToFailure(err);
      }
    },
  };
}
