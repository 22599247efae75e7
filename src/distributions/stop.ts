import { WorkflowNotFoundError } from '@temporalio/client';
import { stoppedSignal } from '../../workflows/contracts/automatic-distribution';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { mailOperators, notifyOperator } from '../channels/operator-mail';
import type { Infrastructure } from '../infrastructure';
import type { DistributionSettings } from './settings';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { batchId } from '../models/distribution-batch';
import { FINAL_DISTRIBUTION_STATUSES, type DistributionDoc } from '../models/distribution';
import { messageId } from '../models/distribution-message';

/** Stopping records, signals the lifecycle workflow and mails the operator. */
export type StopContext = Pick<Infrastructure, 'models' | 'logger' | 'temporal'> & { settings: DistributionSettings };

/** Batches whose customers get their `pool_exhausted` records in one write. */
const BATCHES_PER_WRITE = 10;

/**
 * Stops a distribution whose STATIC campaign ran out of codes and tells the operator. The
 * status change is conditional, so however often this runs (activity retries, a replayed
 * workflow), the operator gets one email. Runs recorded before `recordPoolExhausted` call it.
 */
export async function stopForExhaustedPool(
  ctx: StopContext,
  distributionId: string,
  campaignId: string,
): Promise<{ stopped: boolean }> {
  const stopped = await markPoolStopped(ctx, distributionId, campaignId);
  if (stopped) {
    await tellLifecycleWorkflow(ctx, distributionId);
    await notifyOperator(ctx.settings, ctx.logger, await poolExhaustedNotice(ctx, distributionId, campaignId));
  }
  return { stopped };
}

/** The conditional status change: true only for the call that made it. */
async function markPoolStopped(ctx: StopContext, distributionId: string, campaignId: string): Promise<boolean> {
  const { matchedCount } = await ctx.models.Distribution.updateOne(
    { _id: distributionId, status: { $nin: [...FINAL_DISTRIBUTION_STATUSES] } },
    { $set: { status: 'stopped', status_reason: 'pool_exhausted', completed_at: new Date() } },
  );
  if (matchedCount > 0)
    ctx.logger.warn({ distributionId, campaignId }, 'distribution stopped: campaign code pool exhausted');
  return matchedCount > 0;
}

/**
 * An event's delivery found its automatic distribution's STATIC pool empty: the event's
 * customer gets a `skipped` / `pool_exhausted` record per channel (the report counts whom
 * the pool ran out for), and the distribution's own workflow is told, which records the stop
 * once, emails the operator (retried) and waits for a resume. A distribution without a
 * running workflow is stopped here instead. Safe to retry.
 */
export async function stopForEventPoolExhausted(
  ctx: StopContext,
  run: { distributionId: string; eventId: string; customerId: string },
  campaignId: string,
): Promise<{ signalled: boolean }> {
  const { distributionId, eventId, customerId } = run;
  const distribution = await ctx.models.Distribution.findById(distributionId, { channels: 1, trigger: 1 }).lean();
  if (!distribution) return { signalled: false };
  const now = new Date();
  try {
    await ctx.models.DistributionMessage.insertMany(poolExhaustedRecords(distribution, eventId, customerId, now), {
      ordered: false,
    });
  } catch (err) {
    // A message this event's delivery already recorded (sent on another channel, say) stands.
    if (!onlyDuplicateKeys(err)) throw err;
  }
  try {
    await ctx.temporal.workflow
      .getHandle(distributionWorkflowId(distributionId))
      .signal(stoppedSignal, { reason: 'pool_exhausted', campaign_id: campaignId });
    return { signalled: true };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  // No lifecycle workflow to tell (the signal just found none): record the stop and mail here.
  if (await markPoolStopped(ctx, distributionId, campaignId))
    await notifyOperator(ctx.settings, ctx.logger, await poolExhaustedNotice(ctx, distributionId, campaignId));
  return { signalled: false };
}

/** An automatic distribution's workflow records the stop and ends; a manual one's stopped itself. */
async function tellLifecycleWorkflow(ctx: StopContext, distributionId: string): Promise<void> {
  const d = await ctx.models.Distribution.findById(distributionId, { trigger: 1 }).lean();
  if (!d || d.trigger.type === 'manual') return;
  try {
    await ctx.temporal.workflow
      .getHandle(distributionWorkflowId(distributionId))
      .signal(stoppedSignal, { reason: 'pool_exhausted' });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/**
 * Gives every customer of the batches from `fromBatch` on (never started: the pool ran out
 * before) a `skipped` / `pool_exhausted` record per channel, so the report adds up to the
 * recipients and a resume knows whom to reach; then records the distribution `stopped`. A
 * record already written (a batch that did start) is left as it is. Safe to retry.
 */
export async function recordPoolExhausted(
  ctx: StopContext,
  distributionId: string,
  fromBatch: number,
): Promise<{ stopped: boolean }> {
  const { Distribution, DistributionBatch, DistributionMessage } = ctx.models;
  const distribution = await Distribution.findById(distributionId, { channels: 1 }).lean();
  if (!distribution) return { stopped: false };
  const now = new Date();
  for (let from = fromBatch; ; from += BATCHES_PER_WRITE) {
    const ids = Array.from({ length: BATCHES_PER_WRITE }, (_, k) => batchId(distributionId, from + k));
    const batches = await DistributionBatch.find({ _id: { $in: ids } }, { customer_ids: 1 }).lean();
    if (batches.length === 0) break;
    const docs = batches.flatMap((b) =>
      b.customer_ids.flatMap((customerId) => poolExhaustedRecords(distribution, 'manual', customerId, now)),
    );
    try {
      await DistributionMessage.insertMany(docs, { ordered: false });
    } catch (err) {
      // Records a delivery (or an earlier attempt of this one) already wrote stand.
      if (!onlyDuplicateKeys(err)) throw err;
    }
    if (batches.length < BATCHES_PER_WRITE) break;
  }
  const { matchedCount } = await Distribution.updateOne(
    { _id: distributionId, status: { $nin: [...FINAL_DISTRIBUTION_STATUSES] } },
    { $set: { status: 'stopped', status_reason: 'pool_exhausted', completed_at: now } },
  );
  if (matchedCount > 0) ctx.logger.warn({ distributionId }, 'distribution stopped: campaign code pool exhausted');
  return { stopped: matchedCount > 0 };
}

/** A customer's `skipped` / `pool_exhausted` record on each channel of a run. */
function poolExhaustedRecords(
  distribution: Pick<DistributionDoc, '_id' | 'channels'>,
  run: string,
  customerId: string,
  now: Date,
) {
  return distribution.channels.map((c, index) => ({
    _id: messageId(distribution._id, run, customerId, index),
    distribution_id: distribution._id,
    run,
    customer_id: customerId,
    channel_index: index,
    channel_type: c.type,
    status: 'skipped' as const,
    reason: 'pool_exhausted',
    attempts: 0,
    created_at: now,
    updated_at: now,
  }));
}

/**
 * Emails the operator (`OPERATOR_EMAIL` and the distribution's `notify_emails`) why it stopped.
 * Throws when the mail server refused, so the activity is retried; once accepted it is
 * recorded (`operator_notified_at`) and a retry sends nothing more.
 */
export async function sendPoolExhaustedNotice(
  ctx: StopContext,
  distributionId: string,
  campaignId: string,
): Promise<{ sent: boolean }> {
  const d = await ctx.models.Distribution.findById(distributionId, {
    notify_emails: 1,
    operator_notified_at: 1,
  }).lean();
  if (!d || d.operator_notified_at) return { sent: false };
  const sent = await mailOperators(
    ctx.settings,
    ctx.logger,
    await poolExhaustedNotice(ctx, distributionId, campaignId),
    d.notify_emails ?? [],
  );
  if (sent)
    await ctx.models.Distribution.updateOne({ _id: distributionId }, { $set: { operator_notified_at: new Date() } });
  return { sent };
}

async function poolExhaustedNotice(
  ctx: StopContext,
  distributionId: string,
  campaignId: string,
): Promise<{ subject: string; text: string }> {
  const [distribution, campaign] = await Promise.all([
    ctx.models.Distribution.findById(distributionId, { name: 1 }).lean(),
    ctx.models.Campaign.findById(campaignId, { name: 1 }).lean(),
  ]);
  const distName = distribution?.name ?? distributionId;
  const campaignName = campaign?.name ?? campaignId;
  return {
    subject: `Distribution "${distName}" stopped: campaign "${campaignName}" has no codes left`,
    text:
      `The distribution "${distName}" (${distributionId}) was stopped because the STATIC campaign ` +
      `"${campaignName}" (${campaignId}) has no unpublished codes left. Customers reached so far kept their messages; ` +
      `the others have a message record skipped with reason pool_exhausted. Add codes to the campaign ` +
      `(POST /v1/campaigns/${campaignId}/vouchers), then resume the distribution (POST /v1/distributions/${distributionId}/resume) to reach them.`,
  };
}
