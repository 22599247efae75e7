import type { CustomerService } from '../src/customers/customer-service';
import type { Models } from '../src/models';
import { syncSegmentForCustomers } from '../src/segments/segment-sync';
import { refreshTimeSegments } from '../src/segments/time-refresh';
import type { SegmentActivities } from '../workflows/contracts/activities';

export function createSegmentActivities(models: Models, customers: CustomerService): SegmentActivities {
  return {
    /** One batch of the scheduled re-evaluation of date-dependent segments; raises entered/left for the customers the date moved. */
    async refreshTimeSegmentsBatch(input: { after?: string }) {
      return refreshTimeSegments(models, customers, input.after);
    },

    /** Re-evaluates one batch of customers (by id, after `after`) for a segment revision. */
    async syncSegmentBatch(input: { segmentId: string; revision: number; after?: string }) {
      return syncSegmentForCustomers(models, input.segmentId, input.revision, input.after);
    },

    /** Records the size and marks the revision synced; removes a deleted segment for good. */
    async finishSegmentSync({
      segmentId,
      revision,
    }: {
      segmentId: string;
      revision: number;
    }): Promise<{ stale: boolean }> {
      const { Segment, Customer } = models;
      const segment = await Segment.findById(segmentId).lean();
      if (!segment || segment.revision !== revision) return { stale: true };
      if (segment.deleted_at) {
        await Segment.deleteOne({ _id: segmentId, revision });
        return { stale: false };
      }
      const size = await Customer.countDocuments({ segments: segmentId, deleted_at: { $exists: false } });
      const { matchedCount } = await Segment.updateOne(
        { _id: segmentId, revision },
        { $set: { sync_status: 'synced', size, synced_at: new Date() } },
      );
      return { stale: matchedCount === 0 };
    },
  };
}
