/**
 * Voucherify customer-segment filters: validation, evaluation against a customer, and the field
 * paths a filter reads. Pure functions; the caller supplies `now`.
 */
import type { SegmentFilter } from './filter-types';

export {
  FILTER_OPERATORS,
  MAX_FILTER_CONDITIONS,
  MAX_FILTER_DEPTH,
  type CustomerView,
  type FieldClause,
  type FilterClause,
  type FilterCondition,
  type FilterFieldError,
  type FilterOperator,
  type FilterScalar,
  type GroupClause,
  type Junction,
  type SegmentFilter,
} from './filter-types';
export { validateSegmentFilter } from './filter-validate';
export { matchesSegmentFilter } from './filter-match';

/** Field paths the filter reads, e.g. to know whether a change can affect membership. */
export function filterFields(filter: SegmentFilter): string[] {
  const fields = new Set<string>();
  const visit = (group: SegmentFilter): void => {
    for (const clause of group.clauses) {
      if (clause.kind === 'group') visit(clause.filter);
      else fields.add(clause.field);
    }
  };
  visit(filter);
  return [...fields];
}

/** The filter in Voucherify's own JSON shape (lowercase junction, operands as arrays), e.g. for API responses. */
export function toVoucherifyFilter(filter: SegmentFilter): Record<string, unknown> {
  const entries = filter.clauses.map((clause): [string, unknown] => {
    if (clause.kind === 'group') return [clause.key, toVoucherifyFilter(clause.filter)];
    const conditions = clause.conditions.map(({ operator, values }) => [
      operator,
      operator === '$has_value' || operator === '$is_unknown' ? true : values,
    ]);
    return [clause.field, { conditions: Object.fromEntries(conditions) }];
  });
  // fromEntries defines own properties, so a group keyed "__proto__" stays a key instead of becoming a prototype.
  return Object.fromEntries([['junction', filter.junction], ...entries]);
}
