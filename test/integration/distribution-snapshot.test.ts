import { BATCH_SIZE, snapshotBatches } from '../../src/distributions/audience';
import { batchId } from '../../src/models/distribution-batch';
import { createTestContext, uniqueName, type TestContext } from '../helpers/context';

/**
 * The audience snapshot a page at a time (snapshotAudiencePages), on the real database: each
 * call answers the batches it holds in an unbroken run, and a retry after a write cut short
 * carries on from what the earlier attempt wrote, so every member is in exactly one batch.
 */
describe('the audience snapshot, a page of batches per call', () => {
  let t: TestContext;
  const segmentId = uniqueName('seg_snapshot');
  const audience = { type: 'segment' as const, segment_id: segmentId };
  /** 27 batches: a full page of 25 (one query) and a second, short page. */
  const MEMBERS = 26 * BATCH_SIZE + 17;
  const id = (n: number) => `cust_snap_${String(n).padStart(6, '0')}`;

  beforeAll(async () => {
    t = await createTestContext('snapshot');
    const now = new Date();
    await t.ctx.models.Customer.insertMany(
      Array.from({ length: MEMBERS }, (_, n) => ({
        _id: id(n * 2),
        source_id: `snap-${n}`,
        source_id_key: `snap-${n}`,
        segments: [segmentId],
        metadata: {},
        created_at: now,
        updated_at: now,
      })),
      { lean: true },
    );
  }, 60_000);
  afterAll(() => t?.close());

  /** Pages from batch 0 on until the snapshot is complete, as the workflow asks for them. */
  async function snapshotAll(distributionId: string) {
    const pages = [];
    let index = 0;
    let cursor: string | undefined;
    for (;;) {
      const page = await snapshotBatches(t.ctx, distributionId, audience, index, cursor);
      pages.push(page);
      index += page.batches;
      if (!page.nextCursor) return { pages, batches: index };
      cursor = page.nextCursor;
    }
  }
  async function members(distributionId: string, batches: number): Promise<string[]> {
    const stored = await t.ctx.models.DistributionBatch.find({ distribution_id: distributionId }).lean();
    expect(stored.map((b) => b.index).sort((a, b) => a - b)).toEqual([...Array(batches).keys()]);
    return stored.flatMap((b) => b.customer_ids);
  }
  const everyone = () => Array.from({ length: MEMBERS }, (_, n) => id(n * 2));

  it('answers a page of 25 batches from one query, then the rest, each member once', async () => {
    const distributionId = uniqueName('distr_pages');
    const { pages, batches } = await snapshotAll(distributionId);
    expect(pages.map((p) => p.batches)).toEqual([25, 2]);
    expect(pages.map((p) => p.recipients)).toEqual([25 * BATCH_SIZE, BATCH_SIZE + 17]);
    expect(pages[0]!.nextCursor).toBe(id((25 * BATCH_SIZE - 1) * 2));
    expect((await members(distributionId, batches)).sort()).toEqual(everyone());
  });

  it('a retry after a write cut short answers what was written, and the snapshot goes on from there', async () => {
    const distributionId = uniqueName('distr_retry');
    await snapshotBatches(t.ctx, distributionId, audience, 0);
    // The first attempt's ordered write stopped after batch 9 (the worker died).
    await t.ctx.models.DistributionBatch.deleteMany({
      _id: { $in: Array.from({ length: 15 }, (_, k) => batchId(distributionId, 10 + k)) },
    });
    // A member joins between the attempts, before the cut: it was not in the snapshot, and stays out.
    await t.ctx.models.Customer.insertMany(
      [
        {
          _id: id(1),
          source_id: 'snap-late',
          source_id_key: 'snap-late',
          segments: [segmentId],
          metadata: {},
          created_at: new Date(),
          updated_at: new Date(),
        },
      ],
      { lean: true },
    );
    try {
      const retry = await snapshotBatches(t.ctx, distributionId, audience, 0);
      expect(retry).toEqual({ batches: 10, recipients: 10 * BATCH_SIZE, nextCursor: id((10 * BATCH_SIZE - 1) * 2) });
      let index = retry.batches;
      let cursor = retry.nextCursor;
      while (cursor) {
        const page = await snapshotBatches(t.ctx, distributionId, audience, index, cursor);
        index += page.batches;
        cursor = page.nextCursor;
      }
      const snapshot = await members(distributionId, index);
      expect(snapshot).toHaveLength(MEMBERS);
      expect(snapshot.sort()).toEqual(everyone());
    } finally {
      await t.ctx.models.Customer.deleteOne({ _id: id(1) });
    }
  });

  it('one customer is one batch of one, and an empty segment no batch', async () => {
    const one = await snapshotBatches(t.ctx, uniqueName('distr_one'), { type: 'customer', customer_id: id(0) }, 0);
    expect(one).toEqual({ batches: 1, recipients: 1 });
    const none = await snapshotBatches(
      t.ctx,
      uniqueName('distr_none'),
      {
        type: 'segment',
        segment_id: uniqueName('seg_empty'),
      },
      0,
    );
    expect(none).toEqual({ batches: 0, recipients: 0 });
  });
});
