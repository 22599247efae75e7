import type { Connection } from 'mongoose';
import { appKeyModel } from './app-key';
import { customerModel } from './customer';
import { domainEventModel } from './domain-event';
import { segmentModel } from './segment';

/** Every model of the service, bound to one connection (tests hold one per database). */
export function registerModels(db: Connection) {
  return {
    AppKey: appKeyModel(db),
    Customer: customerModel(db),
    DomainEvent: domainEventModel(db),
    Segment: segmentModel(db),
  };
}

export type Models = ReturnType<typeof registerModels>;
