import type {
  CustomerView,
  FieldClause,
  FilterCondition,
  FilterOperator,
  FilterScalar,
  SegmentFilter,
} from './filter-types';
import { fieldKind, isMissing, parseIsoDate, readPath, toNumber, utcDay, type FieldKind } from './filter-values';

interface Clock {
  /** `now` as days since the epoch (UTC). */
  today: number;
}

/**
 * Whether `customer` belongs to the segment `filter` describes at `now`.
 *
 * Semantics a reader would otherwise have to guess:
 * - `$is`/`$in` compare strings exactly (case-sensitive), because they back ids, codes and enum-like
 *   metadata where "gold" and "Gold" may differ; `$contains`, `$not_contain`, `$starts_with` and
 *   `$ends_with` ignore case, because they back free-text searches such as e-mail domains.
 * - `$is` and `$contains` with several values match when any value does; their negations when none does.
 * - The negations (`$is_not`, `$not_in`, `$not_contain`) match customers without the field, as in Voucherify.
 *   null, "" and [] count as "no value".
 * - "N days" operators count whole UTC calendar days between the date and `now`: `$less_than: [30]` on
 *   a date field means 0–29 days ago (today included, future excluded), `$is_days_ago: [0]` means today.
 * - `$after`/`$before` with a plain `YYYY-MM-DD` compare calendar days, so `$after: ["2024-01-01"]`
 *   starts on 2 January; with a datetime they compare instants.
 * - On metadata the value decides: numbers and numeric strings compare as numbers, ISO date strings as
 *   dates (so `$more_than: [30]` on a date is "more than 30 days ago"), an array matches when any item does.
 */
export function matchesSegmentFilter(filter: SegmentFilter, customer: CustomerView, now: Date): boolean {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('matchesSegmentFilter: now is an invalid Date');
  return matchGroup(filter, customer, { today: utcDay(nowMs) });
}

function matchGroup(filter: SegmentFilter, customer: CustomerView, clock: Clock): boolean {
  const test = (clause: SegmentFilter['clauses'][number]): boolean =>
    clause.kind === 'group' ? matchGroup(clause.filter, customer, clock) : matchField(clause, customer, clock);
  return filter.junction === 'or' ? filter.clauses.some(test) : filter.clauses.every(test);
}

function matchField(clause: FieldClause, customer: CustomerView, clock: Clock): boolean {
  const kind = fieldKind(clause.field) ?? 'dynamic';
  const value = readPath(customer, clause.field);
  return clause.conditions.every((condition) => holds(condition, kind, value, clock));
}

const NEGATIONS: Partial<Record<FilterOperator, FilterOperator>> = {
  $is_not: '$is',
  $not_in: '$in',
  $not_contain: '$contains',
};

function holds({ operator, values }: FilterCondition, kind: FieldKind, value: unknown, clock: Clock): boolean {
  if (operator === '$has_value') return !isMissing(value);
  if (operator === '$is_unknown') return isMissing(value);
  const positive = NEGATIONS[operator];
  if (positive) return !holds({ operator: positive, values }, kind, value, clock);
  if (isMissing(value)) return false;
  const candidates: unknown[] = kind === 'dynamic' && Array.isArray(value) ? value : [value];
  return candidates.some((candidate) => holdsFor(operator, values, kind, candidate, clock));
}

function holdsFor(
  operator: FilterOperator,
  values: FilterScalar[],
  kind: FieldKind,
  value: unknown,
  clock: Clock,
): boolean {
  const first = values[0];
  switch (operator) {
    case '$is':
    case '$in':
      return values.some((operand) => equals(kind, value, operand));
    case '$contains':
    case '$starts_with':
    case '$ends_with':
      return matchesText(operator, value, values);
    case '$more_than':
    case '$less_than':
    case '$more_than_equal':
    case '$less_than_equal':
      return compare(operator, kind, value, toNumber(first), clock);
    case '$after':
    case '$before':
      return compareDate(operator, value, first);
    default:
      return compareDays(operator, daysAgo(value, clock), toNumber(first));
  }
}

function equals(kind: FieldKind, value: unknown, operand: FilterScalar): boolean {
  switch (kind) {
    case 'string':
      return (typeof value === 'string' || typeof value === 'number') && String(value) === String(operand);
    case 'number':
      return sameNumber(value, operand);
    case 'date': {
      const date = parseIsoDate(value);
      const target = parseIsoDate(operand);
      if (!date || !target) return false;
      return target.dateOnly ? utcDay(date.ms) === utcDay(target.ms) : date.ms === target.ms;
    }
    case 'dynamic':
      // Metadata arrives from forms and CSV imports as often as from typed JSON, so "true" and "10" must match too.
      if (typeof value === 'boolean') return operand === value || asBoolean(operand) === value;
      if (typeof operand === 'boolean') return asBoolean(value) === operand;
      if (typeof value === 'number' || typeof operand === 'number') return sameNumber(value, operand);
      return typeof value === 'string' && value === operand;
  }
}

function sameNumber(a: unknown, b: unknown): boolean {
  const x = toNumber(a);
  return x !== undefined && x === toNumber(b);
}

function asBoolean(value: unknown): boolean | undefined {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  return text === 'true' ? true : text === 'false' ? false : undefined;
}

function matchesText(
  operator: '$contains' | '$starts_with' | '$ends_with',
  value: unknown,
  values: FilterScalar[],
): boolean {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
  const haystack = String(value).toLowerCase();
  return values.some((operand) => {
    const needle = String(operand).toLowerCase();
    if (operator === '$starts_with') return haystack.startsWith(needle);
    if (operator === '$ends_with') return haystack.endsWith(needle);
    return haystack.includes(needle);
  });
}

function compare(
  operator: FilterOperator,
  kind: FieldKind,
  value: unknown,
  operand: number | undefined,
  clock: Clock,
): boolean {
  const number = kind === 'date' ? undefined : toNumber(value);
  if (number === undefined) return kind === 'number' ? false : compareDays(operator, daysAgo(value, clock), operand);
  if (operand === undefined) return false;
  if (operator === '$more_than') return number > operand;
  if (operator === '$less_than') return number < operand;
  if (operator === '$more_than_equal') return number >= operand;
  return number <= operand;
}

function compareDate(operator: '$after' | '$before', value: unknown, operand: FilterScalar | undefined): boolean {
  const date = parseIsoDate(value);
  const bound = parseIsoDate(operand);
  if (!date || !bound) return false;
  const [a, b] = bound.dateOnly ? [utcDay(date.ms), utcDay(bound.ms)] : [date.ms, bound.ms];
  return operator === '$after' ? a > b : a < b;
}

/** Whole UTC days from the value's date back to today; negative for the future, undefined when not a date. */
function daysAgo(value: unknown, clock: Clock): number | undefined {
  const date = parseIsoDate(value);
  return date ? clock.today - utcDay(date.ms) : undefined;
}

function compareDays(operator: FilterOperator, ago: number | undefined, n: number | undefined): boolean {
  if (ago === undefined || n === undefined) return false;
  const ahead = -ago;
  switch (operator) {
    case '$more_than':
    case '$more_than_ago':
      return ago > n;
    case '$more_than_equal':
      return ago >= n;
    case '$less_than':
    case '$less_than_ago':
      return ago >= 0 && ago < n;
    case '$less_than_equal':
      return ago >= 0 && ago <= n;
    case '$is_days_ago':
      return ago === n;
    case '$is_days_in_future':
      return ahead === n;
    case '$more_than_future':
      return ahead > n;
    case '$less_than_future':
      return ahead >= 0 && ahead < n;
    default:
      return false;
  }
}
