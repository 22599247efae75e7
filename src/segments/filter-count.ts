import { toCustomerJson } from '../customers/customer-json';
import type { Models } from '../models';
import { matchesSegmentFilter } from './filter-match';
import type { SegmentFilter } from './filter-types';
import { customersAfter } from './customer-pages';

/** Customers read per query while counting. */
const BATCH = 1_000;

export interface FilterCount {
  matching: number;
  scanned: number;
  /** False when `limit` customers were read and more exist: `matching` counts those read only. */
  complete: boolean;
}

/**
 * How many customers a filter matches now, by the same test a sync applies — for the console's
 * "how many before saving". Bounded by `limit`, so a large base answers a lower bound quickly
 * instead of holding the API for a full scan.
 */
export async function countFilterMatches(
  models: Pick<Models, 'Customer'>,
  filter: SegmentFilter,
  limit: number,
  now = new Date(),
): Promise<FilterCount> {
  let matching = 0;
  let scanned = 0;
  let after: string | undefined;
  while (scanned < limit) {
    const size = Math.min(BATCH, limit - scanned);
    const customers = await customersAfter(models, after, size);
    for (const c of customers) if (matchesSegmentFilter(filter, toCustomerJson(c), now)) matching++;
    scanned += customers.length;
    if (customers.length < size) return { matching, scanned, complete: true };
    after = customers.at(-1)!._id;
  }
  const more = await models.Customer.exists({ _id: { $gt: after }, deleted_at: { $exists: false } });
  return { matching, scanned, complete: !more };
}
