import { routeToDistributions, type RoutingContext } from '../src/distributions/event-routing';
import { engineMetrics } from '../src/metrics/engine-metrics';
import type { EventActivities } from '../workflows/contracts/activities';

export function createEventActivities(ctx: RoutingContext): EventActivities {
  const Event = ctx.models.DomainEvent;
  return {
    /**
     * Starts the deliveries of the automatic distributions the events fire, then marks them
     * routed. A crash in between routes them again on retry: delivery starts are idempotent
     * per (distribution, event), and routed_at is only set where unset.
     */
    async routeEvents(ids: string[]): Promise<number> {
      // By id only, filtered here: the embedded server scans the collection for an id query with other conditions.
      const events = (
        await Event.find(
          { _id: { $in: ids } },
          { _id: 1, type: 1, customer_id: 1, data: 1, routed_at: 1, created_at: 1 },
        ).lean()
      ).filter((e) => !e.routed_at);
      if (events.length === 0) return 0;
      engineMetrics.eventsAt('dispatched', events);
      const started = await routeToDistributions(
        ctx,
        events.map((e) => ({
          _id: e._id,
          created_at: e.created_at,
          type: e.type,
          customer_id: e.customer_id ?? null,
          data: (e.data ?? {}) as Record<string, unknown>,
        })),
      );
      engineMetrics.eventsAt('routed', events);
      await Event.updateMany({ _id: { $in: events.map((e) => e._id) } }, { $set: { routed_at: new Date() } });
      return started;
    },
  };
}
