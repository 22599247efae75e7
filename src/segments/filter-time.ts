import type { SegmentFilter } from './filter-types';
import { COMPARE_OPERATORS, DAY_OPERATORS, fieldKind } from './filter-values';

/**
 * Whether membership can change by the date alone, with no change to the customer: a "days
 * ago / in future" operator, or a comparison (`$more_than: [30]` = more than 30 days ago) on a
 * date field or on metadata, whose values may be dates. Such segments are re-evaluated on a
 * schedule (src/segments/time-refresh.ts); every other one only moves when the customer does.
 */
export function dependsOnDate(filter: SegmentFilter): boolean {
  return filter.clauses.some((clause) => {
    if (clause.kind === 'group') return dependsOnDate(clause.filter);
    const kind = fieldKind(clause.field) ?? 'dynamic';
    return clause.conditions.some(
      (c) =>
        DAY_OPERATORS.includes(c.operator) ||
        (COMPARE_OPERATORS.includes(c.operator) && (kind === 'date' || kind === 'dynamic')),
    );
  });
}
