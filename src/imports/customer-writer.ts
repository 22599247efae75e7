import { createHash } from 'node:crypto';
import type { CustomerInput } from '../customers/customer-input';
import { newCustomerDocument, type CustomerService } from '../customers/customer-service';
import { DomainError } from '../errors';
import type { FieldError } from '../errors';
import { checkMetadata } from '../metadata/metadata-schema';
import type { Models } from '../models';
import type { RowError } from '../models/async-action';
import type { CustomerDoc } from '../models/customer';
import type { MetadataSchemaDoc } from '../models/metadata-schema';

const DUPLICATE_KEY = 11000;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export interface ValidRow {
  row: number;
  input: CustomerInput;
}

interface BulkWriteFailure {
  code?: number;
  writeErrors?: Array<{ code: number; errmsg?: string; err?: { op?: { _id?: unknown } } }>;
}

/**
 * The id a row's new customer gets: derived from the import and the row, so a batch that
 * is written again after a crash finds its own customers (duplicate `_id`) instead of
 * creating a second copy of those without a source_id.
 */
export function importedCustomerId(asyncActionId: string, row: number): string {
  const digest = createHash('sha256').update(`${asyncActionId}:${row}`).digest();
  let id = '';
  for (const byte of digest.subarray(0, 24)) id += ALPHABET[byte % 62];
  return `cust_${id}`;
}

/**
 * Writes one batch of valid rows. Customers that do not exist yet are inserted together
 * (one insertMany instead of ~3 round trips each), in the stored shape, with the entered
 * events and the metadata schema check CustomerService.insert would give them; rows naming
 * an existing customer (by id or source_id), a source_id repeated in the batch, or one
 * created meanwhile go through CustomerService.upsert, in row order. A row the service
 * refuses (unknown id, metadata against the schema) is reported, not retried.
 */
export async function writeCustomerBatch(
  deps: { models: Models; customers: CustomerService },
  asyncActionId: string,
  rows: ValidRow[],
  now: Date,
  metadataSchema: MetadataSchemaDoc | null,
): Promise<{ written: number; errors: RowError[] }> {
  const { Customer } = deps.models;
  const keys = [...new Set(rows.map((r) => r.input.source_id).filter((k): k is string => !!k))];
  const existing = new Set(
    keys.length
      ? (await Customer.find({ source_id_key: { $in: keys } }, { source_id_key: 1 }).lean()).map((c) => c.source_id_key)
      : [],
  );

  const errors: RowError[] = [];
  const inserts: Array<{ row: ValidRow; stored: CustomerDoc }> = [];
  const upserts: ValidRow[] = [];
  const claimed = new Set<string>();
  const segments = await deps.customers.activeSegments();
  for (const row of rows) {
    const key = row.input.source_id;
    if (row.input.id || (key && (existing.has(key) || claimed.has(key)))) {
      upserts.push(row);
      continue;
    }
    const { stored } = newCustomerDocument(row.input, segments, now, importedCustomerId(asyncActionId, row.row));
    const metadataErrors = metadataSchema ? checkMetadata(metadataSchema, stored.metadata) : [];
    if (metadataErrors.length > 0) {
      errors.push(...metadataErrors.map((e) => ({ row: row.row, ...e })));
      continue;
    }
    if (key) claimed.add(key);
    inserts.push({ row, stored });
  }

  let written = inserts.length;
  if (inserts.length > 0) {
    try {
      // `stored` is already the complete stored document, so mongoose's per-document hydration
      // (2-3x the cost of the insert itself on the embedded server) is skipped.
      await Customer.insertMany(
        inserts.map((i) => i.stored),
        { ordered: false, lean: true },
      );
    } catch (err) {
      const failure = err as BulkWriteFailure;
      if (!failure.writeErrors?.length) throw err;
      const byId = new Map(inserts.map((i) => [i.stored._id, i.row]));
      for (const writeError of failure.writeErrors) {
        const row = byId.get(String(writeError.err?.op?._id));
        if (writeError.code !== DUPLICATE_KEY || !row) throw err;
        // Taken by another writer meanwhile: update it. Without a source_id the clash is on the derived id: a retried batch already wrote it.
        if (row.input.source_id) {
          written--;
          upserts.push(row);
        }
      }
    }
  }

  for (const row of upserts.sort((a, b) => a.row - b.row)) {
    try {
      await deps.customers.upsert(row.input);
      written++;
    } catch (err) {
      const refused = refusal(err);
      if (!refused) throw err;
      errors.push(...refused.map((e) => ({ row: row.row, ...e })));
    }
  }
  return { written, errors: errors.sort((a, b) => a.row - b.row) };
}

/** Why the customer service refused a row for good (404, 400); undefined for errors worth a retry. */
function refusal(err: unknown): FieldError[] | undefined {
  if (!(err instanceof DomainError)) return undefined;
  if (err.kind === 'not_found') return [{ field: 'id', reason: err.details ?? err.message }];
  if (err.kind !== 'invalid') return undefined;
  const fields = err.extra.errors as FieldError[] | undefined;
  return fields?.length ? fields : [{ field: '(row)', reason: err.details ?? err.message }];
}
