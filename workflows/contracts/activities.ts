import type {
  AudienceState,
  BatchResult,
  DistributionEdit,
  DistributionMark,
  DistributionRunInfo,
  SnapshotPages,
} from './distribution';
import type { DeliveryForEventResult, DeliveryWorkflowInput } from './delivery';
import type { CustomerImportInput } from './customer-import';
import type { SegmentSyncBatch } from './segment-sync';
import type { SegmentTimeRefreshBatch } from './segment-time-refresh';

/**
 * Every activity the workflows call, by name: the workflows proxy this interface and
 * activities/index.ts builds an object of this type, so neither imports the other.
 */

export interface HealthActivities {
  pingDatabase(): Promise<{ latencyMs: number }>;
}

export interface EventActivities {
  routeEvents(ids: string[]): Promise<number>;
}

export interface SegmentActivities {
  refreshTimeSegmentsBatch(input: { after?: string }): Promise<SegmentTimeRefreshBatch>;
  syncSegmentBatch(input: { segmentId: string; revision: number; after?: string }): Promise<SegmentSyncBatch>;
  finishSegmentSync(input: { segmentId: string; revision: number }): Promise<{ stale: boolean }>;
}

export interface CustomerImportActivities {
  importCustomersChunk(input: CustomerImportInput): Promise<{ done: boolean }>;
  finishCustomerImport(input: CustomerImportInput & { failure?: string }): Promise<void>;
}

export interface CampaignActivities {
  generateCampaignVouchers(campaignId: string): Promise<{ generated: number }>;
}

export interface DistributionActivities {
  loadDistributionForRun(id: string): Promise<DistributionRunInfo>;
  /** Kept for runs recorded before audienceState: replaying them schedules this one. */
  audienceReady(id: string): Promise<boolean>;
  audienceState(id: string): Promise<AudienceState>;
  markDistribution(id: string, mark: DistributionMark): Promise<{ updated: boolean }>;
  snapshotAudience(
    id: string,
    after: string | undefined,
    index: number,
  ): Promise<{ count: number; nextCursor?: string }>;
  /** The snapshot several batches a call, so delivery can start on the first while the next are written. */
  snapshotAudiencePages(id: string, after: string | undefined, index: number): Promise<SnapshotPages>;
  deliverBatch(id: string, index: number): Promise<BatchResult>;
  failQueuedMessages(id: string, index: number, error: string): Promise<{ failed: number }>;
  stopForExhaustedPool(id: string, campaignId: string): Promise<{ stopped: boolean }>;
  recordPoolExhausted(id: string, fromBatch: number): Promise<{ stopped: boolean }>;
  reopenPoolExhausted(id: string): Promise<{ reopened: boolean }>;
  sendPoolExhaustedNotice(id: string, campaignId: string): Promise<{ sent: boolean }>;
  applyDistributionEdit(id: string, edit: DistributionEdit): Promise<{ version: number }>;
}

export interface DeliveryActivities {
  deliverForEvent(input: DeliveryWorkflowInput): Promise<DeliveryForEventResult>;
  failQueuedEventMessages(input: DeliveryWorkflowInput, error: string): Promise<number>;
  stopForEventPoolExhausted(input: DeliveryWorkflowInput, campaignId: string): Promise<{ signalled: boolean }>;
}

export type Activities = HealthActivities &
  EventActivities &
  SegmentActivities &
  CustomerImportActivities &
  CampaignActivities &
  DistributionActivities &
  DeliveryActivities;
