import { pair, type Pair } from '../../components/KeyValueRows';

/** How a row's text is read back: metadata values keep their JSON type. */
export type Kind = 'text' | 'number' | 'boolean' | 'json';

export const KINDS: Array<{ value: Kind; label: string }> = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'boolean', label: 'Yes / no' },
  { value: 'json', label: 'JSON' },
];

export interface MetadataRow extends Pair {
  kind: Kind;
}

export function metadataRow(name = '', value = '', kind: Kind = 'text'): MetadataRow {
  return { ...pair(name, value), kind };
}

function kindOf(value: unknown): Kind {
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'json';
}

export function rowsOf(metadata: Record<string, unknown>): MetadataRow[] {
  return Object.entries(metadata).map(([name, value]) => {
    const kind = kindOf(value);
    return metadataRow(name, kind === 'text' ? (value as string) : JSON.stringify(value), kind);
  });
}

/** A row's value, or why its text is not one of its kind. */
export function valueOf(row: MetadataRow): { value: unknown } | { error: string } {
  const text = row.value.trim();
  switch (row.kind) {
    case 'text':
      return { value: row.value };
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) ? { value: Number(text) } : { error: 'not a number' };
    case 'boolean':
      return text === 'true' || text === 'false' ? { value: text === 'true' } : { error: 'true or false' };
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { error: 'not valid JSON' };
      }
  }
}

/** The record the rows say, or the first reason they do not say one. */
export function recordOf(rows: MetadataRow[]): { record: Record<string, unknown> } | { error: string } {
  const record: Record<string, unknown> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (!name) continue;
    if (name in record) return { error: `${name} is given twice` };
    const v = valueOf(row);
    if ('error' in v) return { error: `${name}: ${v.error}` };
    record[name] = v.value;
  }
  return { record };
}

/** The API merges metadata by key: a key removed here is sent as null, which clears it. */
export function mergeBody(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const cleared = Object.fromEntries(Object.keys(before).filter((k) => !(k in after)).map((k) => [k, null]));
  return { ...cleared, ...after };
}

/** The JSON fallback's text as metadata: one object of keys. */
export function parseObject(text: string): { record: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() || '{}');
  } catch {
    return { error: 'not valid JSON' };
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? { record: value as Record<string, unknown> }
    : { error: 'metadata is one object: { "key": value, … }' };
}
