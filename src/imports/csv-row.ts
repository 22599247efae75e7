import type { FieldError } from '../errors';
import type { CsvColumn } from './csv-columns';

export type RawRow = { ok: true; value: Record<string, unknown> } | { ok: false; errors: FieldError[] };

/**
 * One CSV record as a customer object, before validation. Empty cells are left out, so
 * they never clear a stored value. Metadata values are text here; keys the customer
 * metadata schema types are converted later (csv-metadata.ts), the others stay text.
 */
export function csvRowToCustomer(values: string[], columns: CsvColumn[]): RawRow {
  const extra = values.slice(columns.length);
  if (values.length < columns.length || extra.some((v) => v.trim() !== '')) {
    return {
      ok: false,
      errors: [
        {
          field: '(row)',
          reason: `expected ${columns.length} values, one per header column, but the line has ${values.length}`,
        },
      ],
    };
  }
  const customer: Record<string, unknown> = {};
  const address: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  columns.forEach(({ target }, i) => {
    const value = values[i]?.trim() ?? '';
    if (value === '') return;
    switch (target.kind) {
      case 'field':
        customer[target.key] = value;
        break;
      case 'address':
        address[target.key] = value;
        break;
      case 'metadata':
        metadata[target.key] = value;
        break;
      case 'ignore':
        break;
    }
  });
  if (Object.keys(address).length > 0) customer.address = address;
  if (Object.keys(metadata).length > 0) customer.metadata = metadata;
  return { ok: true, value: customer };
}
