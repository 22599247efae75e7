import type { Connection } from 'mongoose';
import type { AppContext } from '../src/context';
import type { Models } from '../src/models';
import { createCampaignActivities } from './campaigns';
import { createDeliveryActivities } from './deliveries';
import { createDistributionActivities } from './distributions';
import { createCustomerImportActivities } from './customer-import';
import { createEventActivities } from './events';
import { createHealthActivities } from './health';
import { createSegmentActivities } from './segments';

export interface ActivityDeps {
  db: Connection;
  models: Models;
}

/** Every activity the worker registers, built once over the process's context (connections and domain services). */
export function createActivities(ctx: AppContext) {
  const { db, models } = ctx;
  return {
    ...createHealthActivities({ db }),
    ...createEventActivities(ctx),
    ...createSegmentActivities(models, ctx.customers),
    ...createCustomerImportActivities({ db, models }),
    ...createCampaignActivities(models),
    ...createDistributionActivities(ctx),
    ...createDeliveryActivities(ctx),
  };
}

export type Activities = ReturnType<typeof createActivities>;
