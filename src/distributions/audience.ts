import type { AppContext } from '../context';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { batchId } from '../models/distribution-batch';
import type { DistributionAudience } from '../models/distribution';

/** An audience is read from the data alone. */
export type AudienceContext = Pick<AppContext, 'models'>;

/** Customers per snapshot batch: one activity delivers one batch. */
export const BATCH_SIZE = 200;

/** A customer audience is always ready; a segment once its sync finished (a deleted segment never will be). */
export async function audienceReady(ctx: AudienceContext, audience: DistributionAudience): Promise<boolean> {
  // Runs recorded before audienceState existed ask this; a deleted customer must not hold them in the wait for ever.
  if (audience.type !== 'segment') return true;
  return (await audienceState(ctx, audience)) === 'ready';
}

/** `ready` to snapshot, `syncing` (wait), or `deleted`: the segment (or the one customer) is gone. */
export type AudienceState = 'ready' | 'syncing' | 'deleted';

export async function audienceState(ctx: AudienceContext, audience: DistributionAudience): Promise<AudienceState> {
  if (audience.type === 'customer') {
    const customer = await ctx.models.Customer.findById(audience.customer_id, { deleted_at: 1 }).lean();
    return customer && !customer.deleted_at ? 'ready' : 'deleted';
  }
  if (audience.type !== 'segment') return 'ready';
  const segment = await ctx.models.Segment.findById(audience.segment_id, { sync_status: 1, deleted_at: 1 }).lean();
  if (!segment || segment.deleted_at) return 'deleted';
  return segment.sync_status === 'synced' ? 'ready' : 'syncing';
}

/**
 * Batches written ahead from one query: the database answers "members after X, by id" by
 * reading the whole segment when its index is not used (the embedded server), so one query
 * per 200 customers made a snapshot quadratic in the audience.
 */
const BATCHES_PER_QUERY = 25;

/**
 * Writes batch `index` of the audience snapshot: the next members after `after`, by id — and
 * the batches after it from the same query, which later calls then find written. A retry finds
 * the batch already written and carries on from what it holds, so the snapshot never depends
 * on whether the segment changed between two attempts.
 */
export async function snapshotBatch(
  ctx: AudienceContext,
  distributionId: string,
  audience: DistributionAudience,
  index: number,
  after?: string,
): Promise<{ count: number; nextCursor?: string }> {
  const { DistributionBatch } = ctx.models;
  const _id = batchId(distributionId, index);
  let stored = await DistributionBatch.findById(_id).lean();
  if (!stored) {
    const page = await members(ctx, audience, after, BATCH_SIZE * BATCHES_PER_QUERY);
    if (page.length === 0) return { count: 0 };
    const ops = [];
    for (let start = 0, i = index; start < page.length; start += BATCH_SIZE, i++) {
      const doc = { distribution_id: distributionId, index: i, customer_ids: page.slice(start, start + BATCH_SIZE) };
      ops.push({
        updateOne: { filter: { _id: batchId(distributionId, i) }, update: { $setOnInsert: doc }, upsert: true },
      });
    }
    try {
      await DistributionBatch.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // A concurrent attempt wrote some first: theirs stand, as $setOnInsert would have left them.
      if (!onlyDuplicateKeys(err)) throw err;
    }
    stored = await DistributionBatch.findById(_id).lean();
  }
  const ids = stored?.customer_ids ?? [];
  const last = ids[ids.length - 1];
  return {
    count: ids.length,
    ...(audience.type === 'segment' && ids.length === BATCH_SIZE && last ? { nextCursor: last } : {}),
  };
}

async function members(
  ctx: AudienceContext,
  audience: DistributionAudience,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  if (audience.type === 'customer') {
    if (after !== undefined) return [];
    const customer = await ctx.models.Customer.findById(audience.customer_id, { _id: 1, deleted_at: 1 }).lean();
    return customer && !customer.deleted_at ? [customer._id] : [];
  }
  if (audience.type !== 'segment') return [];
  const rows = await ctx.models.Customer.find(
    {
      segments: audience.segment_id,
      deleted_at: { $exists: false },
      ...(after !== undefined ? { _id: { $gt: after } } : {}),
    },
    { _id: 1 },
  )
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
  return rows.map((r) => r._id);
}
