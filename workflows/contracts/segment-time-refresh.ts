/** The scheduled re-evaluation of date-dependent segments (workflows/segment-time-refresh.ts). */

export const SEGMENT_TIME_REFRESH_WORKFLOW = 'segmentTimeRefreshWorkflow';
export type SegmentTimeRefreshWorkflow = (input?: SegmentTimeRefreshInput) => Promise<{ changed: number }>;

export interface SegmentTimeRefreshInput {
  /** Last customer id handled, carried across continue-as-new. */
  after?: string;
  /** Customers moved so far by this run. */
  changed?: number;
}

export interface SegmentTimeRefreshBatch {
  changed: number;
  done: boolean;
  last?: string;
}
