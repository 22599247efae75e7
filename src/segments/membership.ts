import type { SegmentDoc } from '../models/segment';
import { matchesSegmentFilter, validateSegmentFilter, type CustomerView } from './filter';

export interface MembershipChange {
  segments: string[];
  entered: SegmentDoc[];
  left: SegmentDoc[];
}

/**
 * The segments a customer belongs to after a change: filter-based segments are
 * re-evaluated, static memberships are kept, deleted segments are dropped. `entered` and
 * `left` list only auto-update segments, the kind that raises events.
 */
export function evaluateMembership(
  current: string[],
  customer: CustomerView,
  segments: SegmentDoc[],
  now: Date,
): MembershipChange {
  const byId = new Map(segments.map((s) => [s._id, s]));
  const next = new Set(current.filter((id) => byId.get(id)?.type === 'static'));
  for (const segment of segments) {
    if (segment.type !== 'static' && segment.filter && matches(segment, customer, now)) next.add(segment._id);
  }
  const before = new Set(current);
  const raising = (s: SegmentDoc | undefined): s is SegmentDoc => s?.type === 'auto-update';
  return {
    segments: [...next].sort(),
    entered: [...next]
      .filter((id) => !before.has(id))
      .map((id) => byId.get(id))
      .filter(raising),
    left: current
      .filter((id) => !next.has(id))
      .map((id) => byId.get(id))
      .filter(raising),
  };
}

function matches(segment: SegmentDoc, customer: CustomerView, now: Date): boolean {
  const parsed = validateSegmentFilter(segment.filter);
  // Filters are validated when saved; one that no longer parses (e.g. after an upgrade) matches nobody rather than everybody.
  return parsed.ok && matchesSegmentFilter(parsed.filter, customer, now);
}
