import { Context } from '@temporalio/activity';
import { deliverToCustomers, type DeliveryContext, type DeliveryOutcome } from '../src/distributions/delivery';
import { transientDeliveryFailure } from '../src/distributions/retry-failure';
import { stopForEventPoolExhausted, type StopContext } from '../src/distributions/stop';
import { engineMetrics } from '../src/metrics/engine-metrics';
import { messageId } from '../src/models/distribution-message';
import type { DeliveryActivities } from '../workflows/contracts/activities';
import type { DeliveryWorkflowInput } from '../workflows/contracts/delivery';

export function createDeliveryActivities(ctx: DeliveryContext & StopContext): DeliveryActivities {
  return {
    /**
     * Delivers one automatic distribution's messages for one event. A distribution paused,
     * cancelled or stopped since the event was routed sends nothing.
     */
    async deliverForEvent({
      distributionId,
      eventId,
      customerId,
    }: DeliveryWorkflowInput): Promise<DeliveryOutcome | { inactive: string }> {
      const [distribution, event] = await Promise.all([
        ctx.models.Distribution.findById(distributionId).lean(),
        ctx.models.DomainEvent.findById(eventId).lean(),
      ]);
      if (distribution?.status !== 'active') return { inactive: distribution?.status ?? 'deleted' };
      const outcome = await deliverToCustomers(ctx, {
        distribution,
        run: eventId,
        customerIds: [customerId],
        ...(event ? { event } : {}),
        signal: Context.current().cancellationSignal,
      });
      engineMetrics.eventDelivered(event, outcome);
      if (outcome.retry) throw transientDeliveryFailure(outcome.retry);
      return outcome;
    },

    async stopForEventPoolExhausted(run: DeliveryWorkflowInput, campaignId: string): Promise<{ signalled: boolean }> {
      return stopForEventPoolExhausted(ctx, run, campaignId);
    },

    /** After the retry policy gave up: what is still queued for this event ends `failed`. */
    async failQueuedEventMessages(
      { distributionId, eventId, customerId }: DeliveryWorkflowInput,
      error: string,
    ): Promise<number> {
      const distribution = await ctx.models.Distribution.findById(distributionId, { channels: 1 }).lean();
      if (!distribution) return 0;
      const ids = distribution.channels.map((_, i) => messageId(distributionId, eventId, customerId, i));
      const { modifiedCount } = await ctx.models.DistributionMessage.updateMany(
        { _id: { $in: ids }, status: 'queued' },
        { $set: { status: 'failed', reason: 'retries_exhausted', error } },
      );
      return modifiedCount;
    },
  };
}
