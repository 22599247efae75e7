import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { deliveryWorkflowId, type DeliveryWorkflowInput } from '../../workflows/delivery';
import type { AppContext } from '../context';
import type { DistributionDoc } from '../models/distribution';
import { CampaignIdKey, DistributionIdKey, TriggerKey } from '../temporal/search-attributes';
import { eventFires, type TriggeringEvent } from './trigger-match';
import { triggersForEvent } from './triggers';

/** Workflow starts in flight at once: enough to keep the server busy without a burst of hundreds. */
const PARALLEL_STARTS = 16;

/**
 * Starts one delivery workflow per (automatic distribution, event) the events fire. The
 * workflow id is deterministic and duplicates are rejected, so an event routed twice (a
 * redelivered signal, a retried activity) never starts a second delivery. Returns how many
 * deliveries were started now.
 */
export async function routeToDistributions(ctx: AppContext, events: Array<TriggeringEvent & { _id: string }>): Promise<number> {
  const triggerTypes = [...new Set(events.flatMap((e) => triggersForEvent(e.type)))];
  if (triggerTypes.length === 0) return 0;
  const distributions = await ctx.models.Distribution.find({ status: 'active', 'trigger.type': { $in: triggerTypes } }).lean<DistributionDoc[]>();
  const starts: Array<{ distribution: DistributionDoc; input: DeliveryWorkflowInput }> = [];
  for (const event of events) {
    for (const distribution of distributions) {
      if (eventFires(distribution, event) && event.customer_id) {
        starts.push({ distribution, input: { distributionId: distribution._id, eventId: event._id, customerId: event.customer_id } });
      }
    }
  }
  // A pool, not chunks: one slow start does not hold up the fifteen others' successors.
  let started = 0;
  let next = 0;
  const lane = async () => {
    while (next < starts.length) {
      const s = starts[next++]!;
      if (await startDelivery(ctx, s.distribution, s.input)) started += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_STARTS, starts.length) }, lane));
  return started;
}

async function startDelivery(ctx: AppContext, distribution: DistributionDoc, input: DeliveryWorkflowInput): Promise<boolean> {
  const campaignId = distribution.trigger.campaign_id ?? (distribution.purpose.type === 'unique_code' ? distribution.purpose.campaign_id : undefined);
  try {
    await ctx.temporal.workflow.start('deliveryWorkflow', {
      workflowId: deliveryWorkflowId(input.distributionId, input.eventId),
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
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
