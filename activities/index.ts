import type { AppContext } from '../src/context';
import type { Activities } from '../workflows/contracts/activities';
import { createCampaignActivities } from './campaigns';
import { createDeliveryActivities } from './deliveries';
import { createDistributionActivities } from './distributions';
import { createCustomerImportActivities } from './customer-import';
import { createEventActivities } from './events';
import { createHealthActivities } from './health';
import { createSegmentActivities } from './segments';

export type { Activities } from '../workflows/contracts/activities';

/**
 * Every activity the worker registers, built once over the process's context; each factory
 * takes only what it uses, and the result is the contract the workflows proxy.
 */
export function createActivities(ctx: AppContext): Activities {
  const { db, models } = ctx;
  return {
    ...createHealthActivities({ db }),
    ...createEventActivities(ctx),
    ...createSegmentActivities(models, ctx.customers),
    ...createCustomerImportActivities({ db, models, customers: ctx.importCustomers }),
    ...createCampaignActivities(models),
    ...createDistributionActivities(ctx),
    ...createDeliveryActivities(ctx),
  };
}
