import {
  FILTER_OPERATORS,
  MAX_FILTER_CONDITIONS,
  MAX_FILTER_DEPTH,
  type FilterClause,
  type FilterCondition,
  type FilterFieldError,
  type FilterOperator,
  type FilterScalar,
  type Junction,
  type SegmentFilter,
} from './filter-types';
import {
  COMPARE_OPERATORS,
  DATE_OPERATORS,
  EQUALITY_OPERATORS,
  PRESENCE_OPERATORS,
  TEXT_OPERATORS,
  fieldKind,
  isPlainObject,
  operatorApplies,
  parseIsoDate,
  toNumber,
  type FieldKind,
} from './filter-values';

/** Voucherify knows these, but they need event history we do not keep; naming them beats "unknown operator". */
const UNSUPPORTED_OPERATORS = new Set(['$count', '$count_less', '$count_more']);
const SINGLE_VALUE_OPERATORS: readonly FilterOperator[] = [...COMPARE_OPERATORS, ...DATE_OPERATORS];
const ROOT = '(root)';

interface Context {
  errors: FilterFieldError[];
  conditionCount: number;
}

export function validateSegmentFilter(
  input: unknown,
): { ok: true; filter: SegmentFilter } | { ok: false; errors: FilterFieldError[] } {
  if (!isPlainObject(input))
    return { ok: false, errors: [{ field: ROOT, reason: `must be an object, got ${describe(input)}` }] };
  const ctx: Context = { errors: [], conditionCount: 0 };
  const filter = parseGroup(input, '', 1, ctx);
  if (ctx.conditionCount > MAX_FILTER_CONDITIONS) {
    ctx.errors.push({
      field: ROOT,
      reason: `has ${ctx.conditionCount} conditions; at most ${MAX_FILTER_CONDITIONS} are allowed`,
    });
  }
  return ctx.errors.length === 0 ? { ok: true, filter } : { ok: false, errors: ctx.errors };
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function parseGroup(input: Record<string, unknown>, prefix: string, depth: number, ctx: Context): SegmentFilter {
  const junction = parseJunction(input.junction, join(prefix, 'junction'), ctx);
  const entries = Object.entries(input).filter(([key]) => key !== 'junction');
  if (entries.length === 0)
    ctx.errors.push({ field: prefix || ROOT, reason: 'has no entries; add a field condition or a nested group' });
  const clauses: FilterClause[] = [];
  for (const [key, value] of entries) {
    const clause = parseEntry(key, value, join(prefix, key), depth, ctx);
    if (clause) clauses.push(clause);
  }
  return { junction, clauses };
}

function parseJunction(raw: unknown, field: string, ctx: Context): Junction {
  if (raw === undefined) return 'and';
  const junction = typeof raw === 'string' ? raw.toLowerCase() : undefined;
  if (junction === 'and' || junction === 'or') return junction;
  ctx.errors.push({ field, reason: `must be "and" or "or", got ${describe(raw)}` });
  return 'and';
}

function parseEntry(key: string, value: unknown, field: string, depth: number, ctx: Context): FilterClause | undefined {
  const isGroup = isPlainObject(value) && Object.hasOwn(value, 'junction') && !Object.hasOwn(value, 'conditions');
  if (isGroup) {
    if (depth >= MAX_FILTER_DEPTH) {
      ctx.errors.push({ field, reason: `nests deeper than ${MAX_FILTER_DEPTH} levels` });
      return undefined;
    }
    return { kind: 'group', key, filter: parseGroup(value, field, depth + 1, ctx) };
  }
  if (!isPlainObject(value) || !Object.hasOwn(value, 'conditions')) {
    ctx.errors.push({ field, reason: 'must be {"conditions": {...}} or a nested filter with a "junction"' });
    return undefined;
  }
  const kind = fieldKind(key);
  if (!kind) ctx.errors.push({ field, reason: 'unknown field path' });
  for (const extra of Object.keys(value)) {
    if (extra !== 'conditions')
      ctx.errors.push({ field: `${field}.${extra}`, reason: 'unknown key; a field entry holds only "conditions"' });
  }
  // An unknown path still gets its operators checked, leniently, so one request reports everything.
  const conditions = parseConditions(value.conditions, `${field}.conditions`, kind ?? 'dynamic', ctx);
  return { kind: 'field', field: key, conditions };
}

function parseConditions(raw: unknown, field: string, kind: FieldKind, ctx: Context): FilterCondition[] {
  if (!isPlainObject(raw)) {
    ctx.errors.push({ field, reason: `must be an object of operators such as {"$is": ["x"]}, got ${describe(raw)}` });
    return [];
  }
  const entries = Object.entries(raw);
  if (entries.length === 0) ctx.errors.push({ field, reason: 'must contain at least one operator' });
  ctx.conditionCount += entries.length;
  const conditions: FilterCondition[] = [];
  for (const [operator, operand] of entries) {
    const opField = `${field}.${operator}`;
    if (!isOperator(operator)) {
      ctx.errors.push({
        field: opField,
        reason: UNSUPPORTED_OPERATORS.has(operator) ? 'operator is not supported' : 'unknown operator',
      });
    } else if (!operatorApplies(kind, operator)) {
      ctx.errors.push({ field: opField, reason: `operator does not apply to a ${kind} field` });
    } else {
      const parsed = parseOperand(operator, operand, kind);
      if (typeof parsed === 'string') ctx.errors.push({ field: opField, reason: parsed });
      else conditions.push({ operator, values: parsed });
    }
  }
  return conditions;
}

function isOperator(key: string): key is FilterOperator {
  return (FILTER_OPERATORS as readonly string[]).includes(key);
}

/** The operand as a value list, or the reason it is refused. */
function parseOperand(operator: FilterOperator, operand: unknown, kind: FieldKind): FilterScalar[] | string {
  if (PRESENCE_OPERATORS.includes(operator)) {
    const single = Array.isArray(operand) && operand.length === 1 ? operand[0] : operand;
    return single === true || single === '' ? [] : `must be true or "", got ${describe(operand)}`;
  }
  const list: unknown[] = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0) return 'must list at least one value';
  if (SINGLE_VALUE_OPERATORS.includes(operator) && list.length !== 1)
    return `takes exactly one value, got ${list.length}`;
  const check = operandCheck(operator, kind);
  const problems = list.flatMap((value, i) => {
    const problem = check(value);
    if (problem === undefined) return [];
    return [list.length > 1 ? `value ${i + 1}: ${problem}` : problem];
  });
  return problems.length > 0 ? problems.join('; ') : (list as FilterScalar[]);
}

type Check = (value: unknown) => string | undefined;

const scalar: Check = (v) =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
    ? undefined
    : `expected a string, number or boolean, got ${describe(v)}`;
const stringLike: Check = (v) =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))
    ? undefined
    : `expected a string, got ${describe(v)}`;
const text: Check = (v) =>
  (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v))
    ? undefined
    : `expected a non-empty string, got ${describe(v)}`;
const numeric: Check = (v) => (toNumber(v) === undefined ? `expected a number, got ${describe(v)}` : undefined);
const dayCount: Check = (v) => {
  const n = toNumber(v);
  return n === undefined || n < 0 ? `expected a non-negative number of days, got ${describe(v)}` : undefined;
};
const wholeDays: Check = (v) => {
  const n = toNumber(v);
  return n === undefined || n < 0 || !Number.isInteger(n)
    ? `expected a whole non-negative number of days, got ${describe(v)}`
    : undefined;
};
const isoDate: Check = (v) =>
  typeof v === 'string' && parseIsoDate(v) ? undefined : `expected an ISO 8601 date or datetime, got ${describe(v)}`;

function operandCheck(operator: FilterOperator, kind: FieldKind): Check {
  if (EQUALITY_OPERATORS.includes(operator))
    return { string: stringLike, number: numeric, date: isoDate, dynamic: scalar }[kind];
  if (TEXT_OPERATORS.includes(operator)) return text;
  // On a metadata field a number operand is meaningful both against numbers and (as days) against dates.
  if (COMPARE_OPERATORS.includes(operator)) return kind === 'date' ? dayCount : numeric;
  if (operator === '$after' || operator === '$before') return isoDate;
  if (operator === '$is_days_ago' || operator === '$is_days_in_future') return wholeDays;
  return dayCount;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  return 'an object';
}
