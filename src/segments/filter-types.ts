/** Operators a segment filter may use (Voucherify's `FiltersCondition` vocabulary minus `$count*` and date sugar). */
export const FILTER_OPERATORS = [
  '$is',
  '$is_not',
  '$in',
  '$not_in',
  '$has_value',
  '$is_unknown',
  '$contains',
  '$not_contain',
  '$starts_with',
  '$ends_with',
  '$more_than',
  '$less_than',
  '$more_than_equal',
  '$less_than_equal',
  '$after',
  '$before',
  '$is_days_ago',
  '$is_days_in_future',
  '$more_than_ago',
  '$less_than_ago',
  '$more_than_future',
  '$less_than_future',
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** A group nests inside the top-level filter at level 2; anything below level 5 is refused. */
export const MAX_FILTER_DEPTH = 5;
/** Each operator in a `conditions` object counts as one condition, across all groups. */
export const MAX_FILTER_CONDITIONS = 100;

export type Junction = 'and' | 'or';
export type FilterScalar = string | number | boolean;

/** One operator with its operand list; `$has_value` / `$is_unknown` carry no values. */
export interface FilterCondition {
  operator: FilterOperator;
  values: FilterScalar[];
}

/** `"<field path>": { conditions: {...} }` — every condition must hold. */
export interface FieldClause {
  kind: 'field';
  field: string;
  conditions: FilterCondition[];
}

/** `"<any key>": { junction, ... }` — a nested filter, so `and` and `or` can be combined. */
export interface GroupClause {
  kind: 'group';
  key: string;
  filter: SegmentFilter;
}

export type FilterClause = FieldClause | GroupClause;

/**
 * A validated filter. Kept as plain JSON rather than Voucherify's own shape because that shape
 * has `$`-prefixed and dotted keys, which MongoDB documents handle badly; `toVoucherifyFilter`
 * gives the API shape back.
 */
export interface SegmentFilter {
  junction: Junction;
  clauses: FilterClause[];
}

export interface FilterFieldError {
  field: string;
  reason: string;
}

/** The customer as the API returns it: snake_case fields, ISO date strings, nested address/metadata/summary. */
export type CustomerView = { [key: string]: unknown };
