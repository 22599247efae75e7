import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './contracts/activities';
import type { SegmentSyncInput } from './contracts/segment-sync';

const { syncSegmentBatch, finishSegmentSync } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Re-evaluates one segment for every customer, in batches by customer id, then records
 * its size and marks it synced. Each batch is an activity, so history grows with the
 * number of batches, not customers, and continue-as-new bounds even that.
 */
export async function segmentSyncWorkflow(input: SegmentSyncInput): Promise<{ stale: boolean }> {
  let after = input.after;
  for (;;) {
    const batch = await syncSegmentBatch({ segmentId: input.segmentId, revision: input.revision, after });
    if (batch.stale) return { stale: true };
    if (batch.done) break;
    after = batch.last;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof segmentSyncWorkflow>({ ...input, after });
  }
  const { stale } = await finishSegmentSync({ segmentId: input.segmentId, revision: input.revision });
  return { stale };
}
