import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';

/**
 * The next `limit` customers not deleted after `after` in `_id` order: the keyset page every
 * walk over all customers (segment sync, time refresh, filter count) reads, so a walk resumed
 * from its last id neither skips nor repeats anyone.
 */
export function customersAfter(
  models: Pick<Models, 'Customer'>,
  after: string | undefined,
  limit: number,
): Promise<CustomerDoc[]> {
  return models.Customer.find({ ...(after ? { _id: { $gt: after } } : {}), deleted_at: { $exists: false } })
    .sort({ _id: 1 })
    .limit(limit)
    .lean();
}
