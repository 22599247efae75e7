/**
 * Statuses carried in workflow payloads and activity results. The models re-export them: a
 * contract is a leaf, so workflows can share them without importing the database layer.
 */

export type DistributionStatus =
  /** Manual: waiting for the audience segment to finish syncing. */
  | 'waiting_for_audience'
  /** Manual: in its grace period; can be edited, cancelled or sent now. */
  | 'scheduled'
  | 'sending'
  | 'completed'
  /** Manual: the run ended and not one message was sent, some failed (`status_reason: all_messages_failed`). */
  | 'failed'
  | 'cancelled'
  /** Stopped by the engine, e.g. the code pool of a STATIC campaign ran out or the audience segment was deleted; see `status_reason`. */
  | 'stopped'
  /** Automatic: fires on matching events. */
  | 'active'
  /** Automatic: ignores events until resumed. */
  | 'paused';

/** Statuses a distribution never leaves. */
export const FINAL_DISTRIBUTION_STATUSES: readonly DistributionStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'stopped',
];

/** `unknown`: an `at_most_once` channel's message whose provider call may have happened; never sent again. */
export type MessageStatus = 'queued' | 'sent' | 'skipped' | 'failed' | 'unknown';
