import { metadataInput } from '../customers/customer-input';

const STANDARD_FIELDS = ['id', 'source_id', 'name', 'email', 'phone', 'description', 'birthdate'] as const;
const ADDRESS_FIELDS = ['city', 'state', 'line_1', 'line_2', 'country', 'postal_code'] as const;

export type StandardField = (typeof STANDARD_FIELDS)[number];
export type AddressField = (typeof ADDRESS_FIELDS)[number];

export type ColumnTarget =
  | { kind: 'field'; key: StandardField }
  | { kind: 'address'; key: AddressField }
  | { kind: 'metadata'; key: string }
  | { kind: 'ignore' };

export interface CsvColumn {
  /** The header cell as written in the file. */
  header: string;
  target: ColumnTarget;
}

export type HeaderMapping = { ok: true; columns: CsvColumn[] } | { ok: false; reason: string };

/** Spreadsheet exports write `Postal code`, `Address line 1`, `Source ID`: compare on a canonical form. */
function canonical(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

const ALIASES: ReadonlyMap<string, ColumnTarget> = new Map<string, ColumnTarget>([
  ...STANDARD_FIELDS.map((key): [string, ColumnTarget] => [key, { kind: 'field', key }]),
  ['birthday', { kind: 'field', key: 'birthdate' }],
  ...ADDRESS_FIELDS.flatMap(
    (key): Array<[string, ColumnTarget]> => [
      [key, { kind: 'address', key }],
      [`address.${key}`, { kind: 'address', key }],
      [`address_${key}`, { kind: 'address', key }],
    ],
  ),
]);

/** Where one header cell's values go: a standard field, an address field, or metadata. */
export function columnTarget(header: string): ColumnTarget {
  const trimmed = header.trim();
  if (trimmed === '') return { kind: 'ignore' };
  const known = ALIASES.get(canonical(trimmed));
  if (known) return known;
  const key = trimmed.replace(/^metadata\./i, '').trim();
  return { kind: 'metadata', key };
}

function targetName(target: ColumnTarget): string {
  switch (target.kind) {
    case 'field':
      return target.key;
    case 'address':
      return `address.${target.key}`;
    case 'metadata':
      return `metadata.${target.key}`;
    case 'ignore':
      return '';
  }
}

/**
 * Maps a CSV header to customer fields. A header that names no standard field at all is
 * taken for a data line (a file without a header, or not a CSV): importing it would make
 * every value a metadata key, so the import fails with that reason instead.
 */
export function mapCsvHeader(header: string[]): HeaderMapping {
  const columns = header.map((cell) => ({ header: cell, target: columnTarget(cell) }));
  if (!columns.some((c) => c.target.kind === 'field' || c.target.kind === 'address')) {
    const shown = header
      .slice(0, 5)
      .map((h) => `"${h}"`)
      .join(', ');
    return {
      ok: false,
      reason: `The first line must be a header naming the columns, with at least one customer field (source_id, name, email, phone, description, birthdate or an address field); got ${shown || 'an empty line'}.`,
    };
  }
  const seen = new Map<string, string>();
  for (const { header: cell, target } of columns) {
    if (target.kind === 'ignore') continue;
    const name = targetName(target);
    if (target.kind === 'metadata') {
      const check = metadataInput.safeParse({ [target.key]: '' });
      if (!check.success || target.key === '') {
        return {
          ok: false,
          reason: `Column "${cell}": metadata keys may not be empty, start with $ or contain dots (after an optional "metadata." prefix).`,
        };
      }
    }
    const earlier = seen.get(name);
    if (earlier !== undefined)
      return { ok: false, reason: `Columns "${earlier}" and "${cell}" both set ${name}; keep one of them.` };
    seen.set(name, cell);
  }
  return { ok: true, columns };
}
