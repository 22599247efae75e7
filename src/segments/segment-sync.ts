import { toCustomerJson } from '../customers/customer-json';
import type { Models } from '../models';
import type { SegmentDoc } from '../models/segment';
import { matchesSegmentFilter, validateSegmentFilter } from './filter';
import { customersAfter } from './customer-pages';

export const SYNC_BATCH_SIZE = 500;
const MAX_ATTEMPTS = 5;

/**
 * One batch of a segment sync: sets or clears the membership of each customer to match
 * the segment's current revision. Silent: a sync raises no entered/left events (only
 * customer changes do), so creating a segment does not look like every member joining.
 * Updates are conditional on the customer's version, like every customer write, so a
 * concurrent change is re-read rather than overwritten.
 */
export async function syncSegmentForCustomers(models: Models, segmentId: string, revision: number, after?: string) {
  const { Customer, Segment } = models;
  const segment = await Segment.findById(segmentId).lean();
  if (!segment || segment.revision !== revision) return { stale: true, done: true, last: after, changed: 0 };
  const wants = membershipTest(segment);
  const customers = await customersAfter(models, after, SYNC_BATCH_SIZE);
  let changed = 0;
  for (let customer of customers) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS && customer; attempt++) {
      const want = wants(customer);
      const has = customer.segments.includes(segmentId);
      if (want === has) break;
      const segments = want
        ? [...customer.segments, segmentId].sort()
        : customer.segments.filter((s) => s !== segmentId);
      const { matchedCount } = await Customer.updateOne(
        { _id: customer._id, version: customer.version },
        { $set: { segments }, $inc: { version: 1 } },
        { timestamps: false },
      );
      if (matchedCount === 1) {
        changed++;
        break;
      }
      const reread = await Customer.findById(customer._id).lean();
      if (!reread || reread.deleted_at) break;
      customer = reread;
    }
  }
  const last = customers.at(-1)?._id ?? after;
  return { stale: false, done: customers.length < SYNC_BATCH_SIZE, last, changed };
}

function membershipTest(segment: SegmentDoc): (customer: Parameters<typeof toCustomerJson>[0]) => boolean {
  if (segment.deleted_at) return () => false;
  if (segment.type === 'static') {
    const members = new Set(segment.customers ?? []);
    return (customer) => members.has(customer._id);
  }
  const parsed = validateSegmentFilter(segment.filter);
  if (!parsed.ok) return () => false;
  const now = new Date();
  return (customer) => matchesSegmentFilter(parsed.filter, toCustomerJson(customer), now);
}
