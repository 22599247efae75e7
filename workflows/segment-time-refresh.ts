import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './contracts/activities';
import type { SegmentTimeRefreshInput } from './contracts/segment-time-refresh';

const { refreshTimeSegmentsBatch } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * Started by the `segment-time-refresh-<task queue>` Schedule: re-evaluates every segment whose
 * filter depends on the date over all customers, one activity per batch of customers, so the
 * history grows with batches, not customers, and continue-as-new bounds even that.
 */
export async function segmentTimeRefreshWorkflow(input: SegmentTimeRefreshInput = {}): Promise<{ changed: number }> {
  let { after, changed = 0 } = input;
  for (;;) {
    const batch = await refreshTimeSegmentsBatch({ ...(after ? { after } : {}) });
    changed += batch.changed;
    if (batch.done) return { changed };
    after = batch.last;
    if (workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof segmentTimeRefreshWorkflow>({ ...(after ? { after } : {}), changed });
  }
}
