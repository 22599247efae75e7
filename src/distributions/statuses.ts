import type { DistributionDoc, DistributionStatus } from '../models/distribution';

/**
 * The one table of which status allows what. The statuses no distribution leaves are
 * `FINAL_DISTRIBUTION_STATUSES` in the workflow contract, which workflows share.
 */

/** Manual statuses in which the workflow still runs (the reconciler starts a never-started one). */
export const MANUAL_RUNNING: readonly DistributionStatus[] = ['waiting_for_audience', 'scheduled', 'sending'];
/** Before sending starts: edit, send now. */
export const MANUAL_PENDING: readonly DistributionStatus[] = ['waiting_for_audience', 'scheduled'];
/** An automatic distribution's workflow runs in these. */
export const AUTOMATIC_LIVE: readonly DistributionStatus[] = ['active', 'paused'];
/** Every status in which a distribution's workflow should be running. */
export const WORKFLOW_RUNNING: readonly DistributionStatus[] = [...MANUAL_RUNNING, ...AUTOMATIC_LIVE];
/**
 * Statuses in which a distribution can be edited, and so in which its copy of its saved templates
 * is still retaken (every save, and the start of a manual one's sending).
 */
export const EDITABLE: readonly DistributionStatus[] = [...MANUAL_PENDING, ...AUTOMATIC_LIVE];

export function editableStatuses(d: Pick<DistributionDoc, 'trigger'>): readonly DistributionStatus[] {
  return d.trigger.type === 'manual' ? MANUAL_PENDING : AUTOMATIC_LIVE;
}

/** Past running: a manual one no longer in MANUAL_RUNNING, an automatic one no longer live. */
export function isFinal(d: Pick<DistributionDoc, 'trigger' | 'status'>): boolean {
  return !(d.trigger.type === 'manual' ? MANUAL_RUNNING : AUTOMATIC_LIVE).includes(d.status);
}
