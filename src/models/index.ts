import type { Connection } from 'mongoose';
import { appKeyModel } from './app-key';
import { asyncActionModel } from './async-action';
import { consentModel } from './consent';
import { consentGroupModel } from './consent-group';
import { customerModel } from './customer';
import { domainEventModel } from './domain-event';
import { metadataSchemaModel } from './metadata-schema';
import { orderModel } from './order';
import { segmentModel } from './segment';

/** Every model of the service, bound to one connection (tests hold one per database). */
export function registerModels(db: Connection) {
  return {
    AppKey: appKeyModel(db),
    AsyncAction: asyncActionModel(db),
    Consent: consentModel(db),
    ConsentGroup: consentGroupModel(db),
    Customer: customerModel(db),
    DomainEvent: domainEventModel(db),
    MetadataSchema: metadataSchemaModel(db),
    Order: orderModel(db),
    Segment: segmentModel(db),
  };
}

export type Models = ReturnType<typeof registerModels>;
