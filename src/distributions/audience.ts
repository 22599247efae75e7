import type { AppContext } from '../context';
import { batchId } from '../models/distribution-batch';
import type { DistributionAudience } from '../models/distribution';

/** Customers per snapshot batch: one activity delivers one batch. */
export const BATCH_SIZE = 200;

/** A customer audience is always ready; a segment once its sync finished (a deleted segment never will be). */
export async function audienceReady(ctx: AppContext, audience: DistributionAudience): Promise<boolean> {
  if (audience.type !== 'segment') return true;
  const segment = await ctx.models.Segment.findById(audience.segment_id, { sync_status: 1, deleted_at: 1 }).lean();
  return !!segment && !segment.deleted_at && segment.sync_status === 'synced';
}

/**
 * Writes batch `index` of the audience snapshot: the next members after `after`, by id.
 * A retry finds the batch already written and carries on from what it holds, so the
 * snapshot never depends on whether the segment changed between two attempts.
 */
export async function snapshotBatch(ctx: AppContext, distributionId: string, audience: DistributionAudience, index: number, after?: string): Promise<{ count: number; nextCursor?: string }> {
  const _id = batchId(distributionId, index);
  const existing = await ctx.models.DistributionBatch.findById(_id).lean();
  const customerIds = existing ? existing.customer_ids : await members(ctx, audience, after);
  if (customerIds.length === 0) return { count: 0 };
  if (!existing) {
    await ctx.models.DistributionBatch.updateOne({ _id }, { $setOnInsert: { distribution_id: distributionId, index, customer_ids: customerIds } }, { upsert: true });
  }
  const stored = existing ?? (await ctx.models.DistributionBatch.findById(_id).lean());
  const ids = stored?.customer_ids ?? customerIds;
  const last = ids[ids.length - 1];
  return { count: ids.length, ...(audience.type === 'segment' && ids.length === BATCH_SIZE && last ? { nextCursor: last } : {}) };
}

async function members(ctx: AppContext, audience: DistributionAudience, after?: string): Promise<string[]> {
  if (audience.type === 'customer') {
    if (after !== undefined) return [];
    const customer = await ctx.models.Customer.findById(audience.customer_id, { _id: 1, deleted_at: 1 }).lean();
    return customer && !customer.deleted_at ? [customer._id] : [];
  }
  if (audience.type !== 'segment') return [];
  const rows = await ctx.models.Customer.find(
    { segments: audience.segment_id, deleted_at: { $exists: false }, ...(after !== undefined ? { _id: { $gt: after } } : {}) },
    { _id: 1 },
  )
    .sort({ _id: 1 })
    .limit(BATCH_SIZE)
    .lean();
  return rows.map((r) => r._id);
}
