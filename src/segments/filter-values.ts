import { isDecimalText } from '../metadata/decimal-text';
import type { CustomerView, FilterOperator } from './filter-types';

/** How a field's values are compared; `dynamic` (metadata) decides per value. */
export type FieldKind = 'string' | 'number' | 'date' | 'dynamic';

const STATIC_FIELDS: Readonly<Record<string, FieldKind>> = {
  id: 'string',
  source_id: 'string',
  name: 'string',
  email: 'string',
  phone: 'string',
  description: 'string',
  birthdate: 'date',
  created_at: 'date',
  updated_at: 'date',
  'address.city': 'string',
  'address.state': 'string',
  'address.line_1': 'string',
  'address.line_2': 'string',
  'address.country': 'string',
  'address.postal_code': 'string',
  'summary.orders.total_amount': 'number',
  'summary.orders.total_count': 'number',
  'summary.orders.average_amount': 'number',
  'summary.orders.last_order_amount': 'number',
  'summary.orders.last_order_date': 'date',
  'summary.redemptions.total_redeemed': 'number',
  'summary.redemptions.total_succeeded': 'number',
  'summary.redemptions.total_failed': 'number',
  'summary.redemptions.total_rolled_back': 'number',
  'summary.redemptions.total_rollback_succeeded': 'number',
  'summary.redemptions.total_rollback_failed': 'number',
  'summary.redemptions.gift.redeemed_amount': 'number',
  'summary.redemptions.gift.amount_to_go': 'number',
  'summary.redemptions.loyalty_card.redeemed_points': 'number',
  'summary.redemptions.loyalty_card.points_to_go': 'number',
  'loyalty.points': 'number',
  'loyalty.referred_customers': 'number',
};

const DYNAMIC_ROOTS = ['metadata', 'system_metadata'];

/** The kind of a filterable field path, or undefined when the path is not one. */
export function fieldKind(path: string): FieldKind | undefined {
  if (Object.hasOwn(STATIC_FIELDS, path)) return STATIC_FIELDS[path];
  const [root, ...rest] = path.split('.');
  if (root !== undefined && DYNAMIC_ROOTS.includes(root) && rest.length > 0 && rest.every((s) => s.length > 0))
    return 'dynamic';
  return undefined;
}

export const EQUALITY_OPERATORS: readonly FilterOperator[] = ['$is', '$is_not', '$in', '$not_in'];
export const PRESENCE_OPERATORS: readonly FilterOperator[] = ['$has_value', '$is_unknown'];
export const TEXT_OPERATORS: readonly FilterOperator[] = ['$contains', '$not_contain', '$starts_with', '$ends_with'];
export const COMPARE_OPERATORS: readonly FilterOperator[] = [
  '$more_than',
  '$less_than',
  '$more_than_equal',
  '$less_than_equal',
];
export const DAY_OPERATORS: readonly FilterOperator[] = [
  '$is_days_ago',
  '$is_days_in_future',
  '$more_than_ago',
  '$less_than_ago',
  '$more_than_future',
  '$less_than_future',
];
export const DATE_OPERATORS: readonly FilterOperator[] = ['$after', '$before', ...DAY_OPERATORS];

const OPERATORS_BY_KIND: Readonly<Record<FieldKind, readonly FilterOperator[]>> = {
  string: [...EQUALITY_OPERATORS, ...PRESENCE_OPERATORS, ...TEXT_OPERATORS],
  number: [...EQUALITY_OPERATORS, ...PRESENCE_OPERATORS, ...COMPARE_OPERATORS],
  date: [...EQUALITY_OPERATORS, ...PRESENCE_OPERATORS, ...COMPARE_OPERATORS, ...DATE_OPERATORS],
  dynamic: [...EQUALITY_OPERATORS, ...PRESENCE_OPERATORS, ...TEXT_OPERATORS, ...COMPARE_OPERATORS, ...DATE_OPERATORS],
};

export function operatorApplies(kind: FieldKind, operator: FilterOperator): boolean {
  return OPERATORS_BY_KIND[kind].includes(operator);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Walks a dotted path through nested objects; own properties only, so `metadata.constructor` is just missing. */
export function readPath(customer: CustomerView, path: string): unknown {
  // `birthday` is the deprecated spelling older clients still send.
  if (path === 'birthdate' && isMissing(customer.birthdate)) return customer.birthday;
  let current: unknown = customer;
  for (const segment of path.split('.')) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** Empty strings and arrays count as "no value", like null and absent fields. */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Numbers and numeric strings ("10", " 2.5 ") as finite numbers; anything else undefined. */
export function toNumber(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && isDecimalText(value.trim())
        ? Number(value.trim())
        : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

export interface ParsedDate {
  ms: number;
  /** True for `YYYY-MM-DD`, which is compared by UTC calendar day rather than by instant. */
  dateOnly: boolean;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses ISO 8601 dates and datetimes by hand: `Date.parse` reads offset-less datetimes in the
 * host's time zone and silently rolls `2024-02-30` over to March, and the evaluator must not
 * depend on either. A datetime without an offset is taken as UTC.
 */
export function parseIsoDate(value: unknown): ParsedDate | undefined {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : { ms: value.getTime(), dateOnly: false };
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE.exec(value.trim());
  if (!m) return undefined;
  const part = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  const [year, month, day, hour, minute, second] = [part(1), part(2), part(3), part(4), part(5), part(6)];
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = m[8] === undefined || m[8].toUpperCase() === 'Z' ? 0 : offsetMinutes(m[8]);
  if (offset === undefined) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
  return { ms, dateOnly: m[4] === undefined };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function offsetMinutes(offset: string): number | undefined {
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

const DAY_MS = 86_400_000;

/** Days since the epoch of the UTC calendar day containing `ms`. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
