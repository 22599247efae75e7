/** The segment sync workflow's contract (workflows/segment-sync.ts). */

export const SEGMENT_SYNC_WORKFLOW = 'segmentSyncWorkflow';
export type SegmentSyncWorkflow = (input: SegmentSyncInput) => Promise<{ stale: boolean }>;

export interface SegmentSyncInput {
  segmentId: string;
  /** The segment revision this run syncs; a newer edit starts a new run and this one stops. */
  revision: number;
  /** Last customer id handled, carried across continue-as-new. */
  after?: string;
}

export function segmentSyncWorkflowId(segmentId: string, revision: number): string {
  return `segment-sync-${segmentId}-r${revision}`;
}

/** One batch of customers re-evaluated: `last` is the cursor for the next. */
export interface SegmentSyncBatch {
  stale: boolean;
  done: boolean;
  last?: string;
}
