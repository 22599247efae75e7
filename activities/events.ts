import type { DomainEventModel } from '../src/models/domain-event';

export interface EventActivityDeps {
  Event: DomainEventModel;
}

export function createEventActivities({ Event }: EventActivityDeps) {
  return {
    /**
     * Marks events as routed. Automatic distributions (a later part of the engine) will be
     * matched here; setting routed_at only where unset keeps a redelivered event from
     * counting twice.
     */
    async routeEvents(ids: string[]): Promise<number> {
      const { modifiedCount } = await Event.updateMany({ _id: { $in: ids }, routed_at: { $exists: false } }, { $set: { routed_at: new Date() } });
      return modifiedCount;
    },
  };
}
