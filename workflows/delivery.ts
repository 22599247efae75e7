import {
  ActivityFailure,
  ApplicationFailure,
  patched,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities } from './contracts/activities';
import type { DeliveryWorkflowInput } from './contracts/delivery';

/** One automatic distribution's delivery for one event; its id and input are in contracts/delivery.ts. */

const deliverOptions = {
  startToCloseTimeout: '2 minutes',
  // Transient provider errors retry here; the activity sets the delay from Retry-After when given.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
} as const;
const { deliverForEvent } = proxyActivities<Activities>(deliverOptions);
/**
 * The same activity run by the worker that runs the workflow task: no activity task to
 * schedule, poll and complete through the server, and no second workflow task.
 * Like any activity it may run again after a crash; the messages it records make that safe.
 */
const local = proxyLocalActivities<Activities>(deliverOptions);
/** Workflows started before deliveries ran locally replay with the activity they recorded. */
const LOCAL_DELIVERY = 'local-delivery';
/** Marks the runs that record the event's pool_exhausted skip and leave the stop to the distribution's workflow. */
const EVENT_POOL_RECORD = 'event-pool-record';

const { failQueuedEventMessages, stopForEventPoolExhausted, stopForExhaustedPool } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * The event's customer gets the distribution's messages: consent check, a code when the
 * purpose publishes one, a send per channel. When the retries run out, what was not
 * accepted is recorded as failed; when a STATIC pool ran out, the customer is recorded
 * skipped for pool_exhausted and the distribution stops.
 */
export async function deliveryWorkflow(input: DeliveryWorkflowInput): Promise<void> {
  try {
    const outcome = await (patched(LOCAL_DELIVERY) ? local.deliverForEvent : deliverForEvent)(input);
    if ('poolExhausted' in outcome && outcome.poolExhausted) {
      if (patched(EVENT_POOL_RECORD)) await stopForEventPoolExhausted(input, outcome.poolExhausted.campaignId);
      else await stopForExhaustedPool(input.distributionId, outcome.poolExhausted.campaignId);
    }
  } catch (err) {
    // A local activity's non-retryable failure arrives as the bare ApplicationFailure, not wrapped
    // in an ActivityFailure: either way the delivery is over, and what is still queued failed.
    if (err instanceof ActivityFailure) await failQueuedEventMessages(input, err.cause?.message ?? err.message);
    else if (err instanceof ApplicationFailure) await failQueuedEventMessages(input, err.message);
    else throw err;
  }
}
