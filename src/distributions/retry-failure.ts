import { ApplicationFailure } from '@temporalio/common';
import type { DeliveryOutcome } from './delivery';

/**
 * The failure an activity throws when some messages are still `queued` after a transient
 * provider error: Temporal retries the activity (whose sent messages are then skipped) with
 * the retry policy's backoff, or after the provider's `Retry-After` when it gave one.
 */
export function transientDeliveryFailure(retry: NonNullable<DeliveryOutcome['retry']>): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'TransientDeliveryError',
    message: `${retry.count} message(s) not accepted yet: ${retry.lastError}`,
    nonRetryable: false,
    ...(retry.afterMs !== undefined ? { nextRetryDelay: retry.afterMs } : {}),
  });
}
