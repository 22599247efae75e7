import type { AppContext } from '../context';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { batchId } from '../models/distribution-batch';
import type { DistributionAudience } from '../models/distribution';
import type { SnapshotPages } from '../../workflows/contracts/distribution';

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
 * on whether the segment changed between two attempts. Runs recorded before snapshotBatches
 * take the snapshot a batch per call.
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
    await writeBatches(ctx, distributionId, audience, index, after);
    stored = await DistributionBatch.findById(_id).lean();
  }
  const ids = stored?.customer_ids ?? [];
  return { count: ids.length, ...nextCursorAfter(audience, ids) };
}

/**
 * Writes the snapshot batches from `index` on, up to BATCHES_PER_QUERY of them from one query
 * of the members after `after`, and answers how many it holds, so the workflow can deliver them
 * while it asks for the next ones. Only batches stored in an unbroken run from `index` count:
 * a retry after a write cut short answers those, and the next call queries on from the last of
 * them, so the snapshot follows one cursor whatever the segment did between two attempts.
 */
export async function snapshotBatches(
  ctx: AudienceContext,
  distributionId: string,
  audience: DistributionAudience,
  index: number,
  after?: string,
): Promise<SnapshotPages> {
  let run = await storedRun(ctx, distributionId, index);
  if (run.length === 0) {
    await writeBatches(ctx, distributionId, audience, index, after);
    run = await storedRun(ctx, distributionId, index);
  }
  const last = run[run.length - 1] ?? [];
  return {
    batches: run.length,
    recipients: run.reduce((n, ids) => n + ids.length, 0),
    ...nextCursorAfter(audience, last),
  };
}

/** The customer ids of the batches stored from `index` on without a gap, up to the first short one. */
async function storedRun(ctx: AudienceContext, distributionId: string, index: number): Promise<string[][]> {
  const ids = Array.from({ length: BATCHES_PER_QUERY }, (_, k) => batchId(distributionId, index + k));
  const stored = await ctx.models.DistributionBatch.find({ _id: { $in: ids } }, { index: 1, customer_ids: 1 }).lean();
  const byIndex = new Map(stored.map((b) => [b.index, b.customer_ids]));
  const run: string[][] = [];
  for (let i = index; byIndex.has(i); i++) {
    const customers = byIndex.get(i)!;
    run.push(customers);
    if (customers.length < BATCH_SIZE) break;
  }
  return run;
}

/** A full batch of a segment may have members after it; anything else ends the snapshot. */
function nextCursorAfter(audience: DistributionAudience, ids: string[]): { nextCursor?: string } {
  const last = ids[ids.length - 1];
  return audience.type === 'segment' && ids.length === BATCH_SIZE && last ? { nextCursor: last } : {};
}

/** One query of the members after `after`, written as the batches from `index` on; a batch already written stands. */
async function writeBatches(
  ctx: AudienceContext,
  distributionId: string,
  audience: DistributionAudience,
  index: number,
  after: string | undefined,
): Promise<void> {
  const page = await members(ctx, audience, after, BATCH_SIZE * BATCHES_PER_QUERY);
  if (page.length === 0) return;
  const ops = [];
  for (let start = 0, i = index; start < page.length; start += BATCH_SIZE, i++) {
    const doc = { distribution_id: distributionId, index: i, customer_ids: page.slice(start, start + BATCH_SIZE) };
    ops.push({
      updateOne: { filter: { _id: batchId(distributionId, i) }, update: { $setOnInsert: doc }, upsert: true },
    });
  }
  try {
    // In order: a write cut short (a crash) leaves the batches before the cut, never one after a gap.
    await ctx.models.DistributionBatch.bulkWrite(ops, { ordered: true });
  } catch (err) {
    // A concurrent attempt wrote some first: theirs stand, as $setOnInsert would have left them.
    if (!onlyDuplicateKeys(err)) throw err;
  }
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
