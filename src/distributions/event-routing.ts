import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import {
  DELIVERY_WORKFLOW,
  deliveryWorkflowId,
  type DeliveryWorkflow,
  type DeliveryWorkflowInput,
} from '../../workflows/contracts/delivery';
import type { Infrastructure } from '../infrastructure';
import { inParallel } from '../concurrency';
import { engineMetrics } from '../metrics/engine-metrics';
import { deliverToCustomers, type DeliveryContext } from './delivery';
import type { DistributionDoc } from '../models/distribution';
import { CampaignIdKey, DistributionIdKey, TriggerKey } from '../../workflows/contracts/search-attributes';
import { eventFires, type TriggeringEvent } from './trigger-match';
import { triggersForEvent } from './triggers';

/** An event to route, with when it was written (its lag is measured from then). */
type RoutedEvent = TriggeringEvent & { _id: string; created_at: Date };

/** Routing starts deliveries inline or as workflows. */
export type RoutingContext = Pick<Infrastructure, 'logger' | 'temporal' | 'taskQueue'> & DeliveryContext;

/** Deliveries (or workflow starts) in flight at once: enough to hide provider latency without a burst of hundreds. */
const PARALLEL_STARTS = 16;

/**
 * How long a routing attempt delivers inline; what is not started by then goes to delivery
 * workflows, so the attempt ends well inside its activity timeout (a timed-out attempt left
 * running beside its retry could send a queued message twice).
 */
const INLINE_BUDGET_MS = 20_000;

/** The wait before a workflow retries what failed inline without a Retry-After: its retry policy's first interval. */
const FIRST_RETRY_MS = 1_000;

/**
 * Delivers what the events fire: one delivery per (automatic distribution, event). Most finish
 * at once and are done inline, without a workflow; one that must wait (a provider's transient
 * error, an exhausted pool, a failure) is handed to its delivery workflow, which owns retries,
 * backoff and giving up. Both are idempotent per message, and the workflow id is deterministic
 * with duplicates rejected, so an event routed twice (a redelivered signal, a retried activity)
 * never sends twice. Returns how many deliveries went to a workflow.
 */
export async function routeToDistributions(ctx: RoutingContext, events: RoutedEvent[]): Promise<number> {
  const triggerTypes = [...new Set(events.flatMap((e) => triggersForEvent(e.type)))];
  if (triggerTypes.length === 0) return 0;
  const distributions = await ctx.models.Distribution.find({
    status: 'active',
    'trigger.type': { $in: triggerTypes },
  }).lean<DistributionDoc[]>();
  const starts: Array<{
    distribution: DistributionDoc;
    event: RoutedEvent;
    input: DeliveryWorkflowInput;
  }> = [];
  for (const event of events) {
    for (const distribution of distributions) {
      if (eventFires(distribution, event) && event.customer_id) {
        starts.push({
          distribution,
          event,
          input: { distributionId: distribution._id, eventId: event._id, customerId: event.customer_id },
        });
      }
    }
  }
  const budget = AbortSignal.timeout(INLINE_BUDGET_MS);
  let started = 0;
  await inParallel(starts, PARALLEL_STARTS, async ({ distribution, event, input }) => {
    const inline = budget.aborted
      ? { done: false }
      : await deliverInline(ctx, distribution, event, input.customerId, budget);
    if (inline.done) return;
    if (await startDelivery(ctx, distribution, input, inline.retryAfterMs)) started += 1;
  });
  return started;
}

/**
 * Delivers inline; `done` when every message ended final, else the workflow takes over —
 * not before the provider's Retry-After, when a transient failure gave one.
 */
async function deliverInline(
  ctx: RoutingContext,
  distribution: DistributionDoc,
  event: RoutedEvent,
  customerId: string,
  signal: AbortSignal,
): Promise<{ done: boolean; retryAfterMs?: number }> {
  try {
    const outcome = await deliverToCustomers(ctx, {
      distribution,
      run: event._id,
      customerIds: [customerId],
      event,
      signal,
    });
    engineMetrics.eventDelivered(event, outcome);
    if (outcome.retry) return { done: false, retryAfterMs: outcome.retry.afterMs ?? FIRST_RETRY_MS };
    return { done: !outcome.poolExhausted };
  } catch (err) {
    if (!signal.aborted)
      ctx.logger.warn(
        { err, distribution: distribution._id, event: event._id },
        'inline delivery failed; its workflow retries it',
      );
    return { done: false };
  }
}

async function startDelivery(
  ctx: RoutingContext,
  distribution: DistributionDoc,
  input: DeliveryWorkflowInput,
  delayMs?: number,
): Promise<boolean> {
  const campaignId =
    distribution.trigger.campaign_id ??
    (distribution.purpose.type === 'unique_code' ? distribution.purpose.campaign_id : undefined);
  try {
    await ctx.temporal.workflow.start<DeliveryWorkflow>(DELIVERY_WORKFLOW, {
      workflowId: deliveryWorkflowId(input.distributionId, input.eventId),
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      ...(delayMs ? { startDelay: delayMs } : {}),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: DistributionIdKey, value: distribution._id },
        { key: TriggerKey, value: distribution.trigger.type },
        ...(campaignId ? [{ key: CampaignIdKey, value: campaignId }] : []),
      ]),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
