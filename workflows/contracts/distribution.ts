import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DistributionStatus, MessageStatus } from './statuses';

/**
 * The manual distribution workflow's contract (workflows/distribution.ts): its id, input,
 * signals, update and query, shared by the workflow, the API's services and the activities.
 */

export const DISTRIBUTION_WORKFLOW = 'distributionWorkflow';
/** Its signature, so a client starts it by name with typed arguments: `workflow.start<DistributionWorkflow>(DISTRIBUTION_WORKFLOW, …)`. */
export type DistributionWorkflow = (input: DistributionWorkflowInput) => Promise<void>;

export function distributionWorkflowId(distributionId: string): string {
  return `distribution-${distributionId}`;
}

/** What an operator may change before sending starts; each field replaces the stored one. */
export interface DistributionEdit {
  name?: string;
  audience?: { type: 'segment'; segment_id: string } | { type: 'customer'; customer_id: string };
  consents?: { verification: boolean; required: string[] };
  channels?: Array<{
    type: string;
    settings?: Record<string, unknown>;
    template?: { subject?: string; html?: string; text?: string };
    template_id?: string;
  }>;
}

export interface DistributionProgress {
  status: DistributionStatus;
  /** ISO time the grace period ends, once known. */
  send_at?: string;
  recipients?: number;
  batches_total?: number;
  batches_done: number;
  status_reason?: string;
}

/** Stops the distribution: before sending nothing is sent; during sending, no further batch starts. */
export const cancelSignal = defineSignal<[{ reason?: string }]>('cancel');
/** Ends the grace period now (or skips it if the audience is still syncing: sends as soon as it is synced). */
export const sendNowSignal = defineSignal('sendNow');
/** Stopped because the pool ran out (and codes were added since): deliver to those skipped for pool_exhausted. */
export const resumeSignal = defineSignal('resume');
/** Validates and stores an edit; rejected once sending started. Returns the new version. */
export const editUpdate = defineUpdate<{ version: number }, [DistributionEdit]>('edit');
export const progressQuery = defineQuery<DistributionProgress>('progress');

export interface DistributionWorkflowInput {
  distributionId: string;
  /** Set by continue-as-new only: where the previous run of this workflow left off. */
  carried?: CarriedState;
  /** Batches one run starts before continuing as new (default 300); tests lower it. */
  maxBatchesPerRun?: number;
}

export type Phase = 'waiting' | 'scheduled' | 'sending';

/** Everything a continued run needs; the audience itself lives in the snapshot batches. */
export interface CarriedState {
  phase: Phase;
  cancelled: boolean;
  cancelReason?: string;
  sendNow: boolean;
  sendAt?: string;
  /** Snapshot batches written so far, and the last customer id of the last one. */
  snapshot: { batches: number; recipients: number; cursor?: string; done: boolean };
  /** Every batch below this index has been delivered (or failed for good). */
  nextBatch: number;
  counts: Record<MessageStatus, number>;
}

/** What the workflow needs of its distribution (payloads carry no Dates: ISO strings). */
export interface DistributionRunInfo {
  status: DistributionStatus;
  name: string;
  trigger: string;
  campaignId?: string;
  gracePeriodSeconds: number;
  sendAt?: string;
}

export interface DistributionMark {
  status: DistributionStatus;
  status_reason?: string;
  send_at?: string;
  started_at?: string;
  completed_at?: string;
  recipients_count?: number;
  /** A change an operator asked for (pause, resume, cancel of an automatic one) bumps the version, as an edit does. */
  bump_version?: boolean;
}

export interface BatchResult {
  counts: Record<MessageStatus, number>;
  poolExhausted?: { campaignId: string };
  /** Stopped part-way: the distribution was cancelled (its cancel flag set, or it ended). */
  stopped?: true;
}

export type AudienceState = 'ready' | 'syncing' | 'deleted';

/** Snapshot batches one call wrote (or found written), from the index it was given on. */
export interface SnapshotPages {
  batches: number;
  recipients: number;
  /** The last customer id of the last batch; absent once the snapshot is complete. */
  nextCursor?: string;
}
