import type { Client } from '@temporalio/client';
import { eventRouterWorkflow, eventRouterWorkflowId, eventsSignal } from '../../workflows/event-router';
import type { DomainEventModel } from '../models/domain-event';

/**
 * Hands undispatched events to the event router workflow, oldest first, and marks them
 * dispatched once Temporal has accepted the signal. A crash between the two re-sends the
 * batch next time: delivery is at least once, and the router is idempotent per event.
 */
export async function dispatchEvents(Event: DomainEventModel, temporal: Client, taskQueue: string, stop: () => boolean = () => false, batchSize = 200): Promise<number> {
  let dispatched = 0;
  for (;;) {
    const batch = await Event.find({ dispatched_at: { $exists: false } }, { _id: 1, type: 1 }).sort({ created_at: 1 }).limit(batchSize).lean();
    if (batch.length === 0) return dispatched;
    await temporal.workflow.signalWithStart(eventRouterWorkflow, {
      workflowId: eventRouterWorkflowId(taskQueue),
      taskQueue,
      args: [[]],
      signal: eventsSignal,
      signalArgs: [batch.map((e) => ({ id: e._id, type: e.type }))],
    });
    await Event.updateMany({ _id: { $in: batch.map((e) => e._id) } }, { $set: { dispatched_at: new Date() } });
    dispatched += batch.length;
    if (batch.length < batchSize || stop()) return dispatched;
  }
}
