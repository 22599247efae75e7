// The versions of the distribution workflow's code: each marker is `patched()` where the code changed,
// so runs recorded before it replay as they ran (test/integration/distribution-replay.test.ts).

/**
 * Marks the runs that record a cancellation requested from Temporal (UI, CLI, a client's
 * `cancel()`) as `cancelled` / `cancelled_in_temporal`; runs recorded before it just ended.
 */
export const RECORD_TEMPORAL_CANCEL = 'record-temporal-cancel';

/** Marks the runs that poll audienceState (deleted → stopped) and wait for a re-sync after the grace period. */
export const AUDIENCE_STATE = 'audience-state';
/** Marks the runs that end `failed` when every message that was tried failed. */
export const FAILED_STATUS = 'failed-status';

/** Marks the runs that record pool_exhausted skips, retry the operator notice and can be resumed. */
export const POOL_RECORDS = 'pool-records';

/**
 * Marks the runs that deliver the first snapshot batches while the next are still written (a
 * page of batches per activity); runs recorded before it wrote the whole snapshot, a batch per
 * activity, before delivering any.
 */
export const SNAPSHOT_WHILE_SENDING = 'snapshot-while-sending';
