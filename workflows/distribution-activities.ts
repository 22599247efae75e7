import { type ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from './contracts/activities';

// What the distribution workflow calls, with the timeouts and retries of each kind of step, and the
// limits on its batches.

/** Batches delivered at once: a few keep the providers busy without flooding them. */
export const BATCHES_IN_FLIGHT = 4;
/** Keeps a run's history bounded even when the server does not suggest continuing. */
export const BATCHES_PER_RUN = 300;
/** How long a distribution stopped for pool_exhausted can be resumed. */
export const RESUME_WINDOW = '30 days';

export const quick = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
export const edits = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 3, nonRetryableErrorTypes: ['AppError'] },
});
/** The operator notice: an SMTP outage is waited out for about a day, then given up. */
export const notice = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: 30 },
});
export const delivery = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // Heartbeats let a batch on a dead worker be retried in seconds, not after five minutes.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});

/** An activity failure's own message, for the stored status reason. */
export function errorText(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) return cause.message;
  return cause?.message ?? err.message;
}
