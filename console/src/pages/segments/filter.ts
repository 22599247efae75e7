/** One condition row of the filter builder: `field operator value`. */
export interface FilterRow {
  key: string;
  field: string;
  /** `metadata.<key>` rows name their key here. */
  metadataKey: string;
  operator: string;
  value: string;
}

export const FIELDS = [
  { value: 'name', label: 'Name' },
  { value: 'email', label: 'Email' },
  { value: 'phone', label: 'Phone' },
  { value: 'source_id', label: 'Source id' },
  { value: 'address.city', label: 'City' },
  { value: 'address.country', label: 'Country' },
  { value: 'address.postal_code', label: 'Postal code' },
  { value: 'birthdate', label: 'Birthdate' },
  { value: 'created_at', label: 'Created at' },
  { value: 'summary.orders.total_amount', label: 'Orders: total amount' },
  { value: 'summary.orders.total_count', label: 'Orders: count' },
  { value: 'loyalty.points', label: 'Loyalty points' },
  { value: 'metadata', label: 'Metadata…' },
];

export const OPERATORS = [
  { value: '$is', label: 'is' },
  { value: '$is_not', label: 'is not' },
  { value: '$contains', label: 'contains' },
  { value: '$not_contain', label: 'does not contain' },
  { value: '$starts_with', label: 'starts with' },
  { value: '$ends_with', label: 'ends with' },
  { value: '$more_than', label: 'more than' },
  { value: '$less_than', label: 'less than' },
  { value: '$after', label: 'after (date)' },
  { value: '$before', label: 'before (date)' },
  { value: '$has_value', label: 'has a value' },
  { value: '$is_unknown', label: 'is unknown' },
];

const NO_VALUE = new Set(['$has_value', '$is_unknown']);
const NUMERIC = new Set(['$more_than', '$less_than']);

export function takesValue(operator: string): boolean {
  return !NO_VALUE.has(operator);
}

let keys = 0;
export function newRow(): FilterRow {
  keys += 1;
  return { key: `r${keys}`, field: 'metadata', metadataKey: '', operator: '$is', value: '' };
}

function pathOf(row: FilterRow): string {
  return row.field === 'metadata' ? `metadata.${row.metadataKey.trim()}` : row.field;
}

/** A numeric-looking value is sent as a number for the comparisons that need one. */
function operand(row: FilterRow): string | number {
  const n = Number(row.value);
  return NUMERIC.has(row.operator) && row.value.trim() !== '' && Number.isFinite(n) ? n : row.value;
}

/** Voucherify's segment filter: `{ junction, "<path>": { conditions: { "$op": [value] } } }`. */
export function toFilter(junction: 'and' | 'or', rows: FilterRow[]): Record<string, unknown> {
  const filter: Record<string, unknown> = { junction };
  for (const row of rows) {
    const path = pathOf(row);
    const existing = (filter[path] as { conditions: Record<string, unknown[]> } | undefined) ?? { conditions: {} };
    existing.conditions[row.operator] = takesValue(row.operator) ? [operand(row)] : [];
    filter[path] = existing;
  }
  return filter;
}

/** Rows for a stored filter's top level (nested groups are kept out of the simple builder). */
export function fromFilter(filter: unknown): { junction: 'and' | 'or'; rows: FilterRow[] } {
  if (!filter || typeof filter !== 'object') return { junction: 'and', rows: [] };
  const f = filter as Record<string, unknown>;
  const junction = String(f.junction ?? 'and').toLowerCase() === 'or' ? 'or' : 'and';
  const rows: FilterRow[] = [];
  for (const [path, clause] of Object.entries(f)) {
    if (path === 'junction' || !clause || typeof clause !== 'object') continue;
    const conditions = (clause as { conditions?: Record<string, unknown[]> }).conditions ?? {};
    for (const [operator, values] of Object.entries(conditions)) {
      const metadata = path.startsWith('metadata.');
      rows.push({ ...newRow(), field: metadata ? 'metadata' : path, metadataKey: metadata ? path.slice('metadata.'.length) : '', operator, value: Array.isArray(values) && values.length ? String(values[0]) : '' });
    }
  }
  return { junction, rows };
}
