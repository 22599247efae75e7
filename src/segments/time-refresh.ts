import { toCustomerJson } from '../customers/customer-json';
import type { CustomerService } from '../customers/customer-service';
import { isDomainError } from '../errors';
import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';
import type { SegmentDoc } from '../models/segment';
import { matchesSegmentFilter, validateSegmentFilter } from './filter';
import type { SegmentFilter } from './filter-types';
import { dependsOnDate } from './filter-time';
import { SYNC_BATCH_SIZE } from './segment-sync';
import { customersAfter } from './customer-pages';

interface TimeSegment {
  id: string;
  filter: SegmentFilter;
}

/** The filter-based segments whose membership the date alone can change. */
function timeSegments(segments: SegmentDoc[]): TimeSegment[] {
  const out: TimeSegment[] = [];
  for (const s of segments) {
    if (s.type === 'static' || s.deleted_at || !s.filter) continue;
    const parsed = validateSegmentFilter(s.filter);
    if (parsed.ok && dependsOnDate(parsed.filter)) out.push({ id: s._id, filter: parsed.filter });
  }
  return out;
}

function stale(customer: CustomerDoc, segments: TimeSegment[], now: Date): boolean {
  const view = toCustomerJson(customer);
  return segments.some((s) => matchesSegmentFilter(s.filter, view, now) !== customer.segments.includes(s.id));
}

/**
 * One batch (by customer id, after `after`) of the scheduled re-evaluation of date-dependent
 * segments. Only a customer whose membership the date has changed is written, through the
 * customer's versioned update, which re-evaluates every segment and raises entered/left in
 * the same write: a repeated batch (an activity retry, the next run) finds nothing to change,
 * so each change raises its event once.
 */
export async function refreshTimeSegments(
  models: Models,
  customers: CustomerService,
  after: string | undefined,
  now = new Date(),
): Promise<{ done: boolean; last?: string; changed: number }> {
  const segments = timeSegments(await customers.activeSegments());
  if (segments.length === 0) return { done: true, changed: 0 };
  const batch = await customersAfter(models, after, SYNC_BATCH_SIZE);
  let changed = 0;
  for (const customer of batch) {
    if (!stale(customer, segments, now)) continue;
    try {
      // Rechecked on the customer as the write finds it: a concurrent write may have moved it already.
      const written = await customers.mutate(
        customer._id,
        (current) => (stale(current, segments, now) ? { set: {} } : null),
        customer,
      );
      if (written.version !== customer.version) changed++;
    } catch (err) {
      if (!isDomainError(err, 'not_found')) throw err;
    }
  }
  const last = batch.at(-1)?._id ?? after;
  return { done: batch.length < SYNC_BATCH_SIZE, ...(last ? { last } : {}), changed };
}
