import type { Connection } from 'mongoose';
import type { Models } from '../src/models';
import { createCampaignActivities } from './campaigns';
import { createCustomerImportActivities } from './customer-import';
import { createEventActivities } from './events';
import { createHealthActivities } from './health';
import { createSegmentActivities } from './segments';

export interface ActivityDeps {
  db: Connection;
  models: Models;
}

/** Every activity the worker registers, built once over the worker's dependencies. */
export function createActivities({ db, models }: ActivityDeps) {
  return {
    ...createHealthActivities({ db }),
    ...createEventActivities({ Event: models.DomainEvent }),
    ...createSegmentActivities(models),
    ...createCustomerImportActivities({ db, models }),
    ...createCampaignActivities(models),
  };
}

export type Activities = ReturnType<typeof createActivities>;
