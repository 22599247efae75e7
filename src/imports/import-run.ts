import type { Connection } from 'mongoose';
import type { CustomerService } from '../customers/customer-service';
import type { Models } from '../models';
import type { AsyncActionDoc, RowError } from '../models/async-action';
import { typeCsvMetadata } from './csv-metadata';
import { validateCustomerRow } from './customer-row';
import { writeCustomerBatch, type ValidRow } from './customer-writer';
import { readRecords } from './read-records';
import type { ReadPosition, SourceRecord } from './source-record';
import { deleteUpload, readUpload } from './upload-store';

/** Rows written per batch: one insertMany, one progress update. */
export const BATCH_ROWS = 500;
/** Row errors kept on the action; later ones are counted in failed_count only. */
export const MAX_STORED_ERRORS = 1000;

export interface ImportDeps {
  db: Connection;
  models: Models;
  customers: CustomerService;
}

export interface RunOptions {
  /** Stop after about this many rows (at a batch boundary) and report not done, so one activity stays short. */
  maxRows: number;
  batchRows?: number;
  /** Called after each committed batch with the new cursor; may throw to stop the run (e.g. cancelled). */
  afterBatch?(cursor: ReadPosition): void;
  clock?: () => Date;
}

/**
 * Imports an action's upload from its committed cursor on, in batches. Each batch's counts,
 * errors and new cursor are committed in one update conditional on the cursor it started
 * from, so a batch is counted once even if two attempts overlap; the losing attempt stops
 * with an error and Temporal retries it from the committed cursor. Writing a batch twice is
 * harmless: upserts by source_id converge and new customers get ids derived from their row.
 */
export async function runImport(
  deps: ImportDeps,
  asyncActionId: string,
  options: RunOptions,
): Promise<{ done: boolean }> {
  const { AsyncAction } = deps.models;
  const action = await AsyncAction.findById(asyncActionId).lean();
  if (!action || action.status === 'DONE' || action.status === 'FAILED') return { done: true };
  if (action.status === 'ENQUEUED')
    await AsyncAction.updateOne({ _id: asyncActionId, status: 'ENQUEUED' }, { $set: { status: 'IN_PROGRESS' } });

  const batchRows = options.batchRows ?? BATCH_ROWS;
  const clock = options.clock ?? (() => new Date());
  let cursor: ReadPosition = { row: action.cursor.row, byte: action.cursor.byte };
  let storedErrors = action.result.errors.length;
  const commit = async (batch: SourceRecord[], end: number) => {
    const { counts, errors } = await writeBatch(deps, action, batch, clock());
    const kept = errors.slice(0, Math.max(0, MAX_STORED_ERRORS - storedErrors));
    const next = { row: batch.at(-1)!.row, byte: end };
    const { matchedCount } = await AsyncAction.updateOne(
      { _id: asyncActionId, status: 'IN_PROGRESS', 'cursor.row': cursor.row },
      {
        $set: {
          cursor: next,
          progress: Math.min(99, Math.floor((end * 100) / Math.max(1, action.upload.bytes))),
          ...(kept.length < errors.length ? { 'result.errors_truncated': true } : {}),
        },
        $inc: { 'result.done_count': counts.done, 'result.failed_count': counts.failed },
        ...(kept.length ? { $push: { 'result.errors': { $each: kept } } } : {}),
      },
    );
    if (matchedCount === 0)
      throw new Error(
        `import ${asyncActionId} moved past row ${cursor.row} without this run (an overlapping attempt, or it ended)`,
      );
    storedErrors += kept.length;
    cursor = next;
    options.afterBatch?.(cursor);
  };

  const upload = readUpload(deps.db, action.upload.file_id, cursor.byte, action.upload.bytes);
  const records = readRecords(upload, {
    format: action.upload.format,
    position: cursor,
    // From the start of the file the header is read again; further on, the one kept from the first run is used.
    csvHeader: cursor.row > 0 ? action.csv_header : undefined,
    onCsvHeader: async (header) => {
      await AsyncAction.updateOne({ _id: asyncActionId }, { $set: { csv_header: header } });
    },
  });
  let batch: SourceRecord[] = [];
  let handled = 0;
  try {
    for await (const record of records) {
      batch.push(record);
      // A batch ends only after a record whose end offset is known, so the cursor is always a place to resume from.
      if (batch.length >= batchRows && record.end !== undefined) {
        await commit(batch, record.end);
        handled += batch.length;
        batch = [];
        if (handled >= options.maxRows) return { done: false };
      }
    }
    if (batch.length > 0) await commit(batch, action.upload.bytes);
    return { done: true };
  } finally {
    upload.destroy();
  }
}

async function writeBatch(
  deps: ImportDeps,
  action: AsyncActionDoc,
  batch: SourceRecord[],
  now: Date,
): Promise<{ counts: { done: number; failed: number }; errors: RowError[] }> {
  // Read per batch, so a schema saved during a long import applies from the next batch on.
  const metadataSchema = await deps.models.MetadataSchema.findById('customer').lean();
  const errors: RowError[] = [];
  const valid: ValidRow[] = [];
  for (const record of batch) {
    if ('errors' in record) {
      errors.push(...record.errors.map((e) => ({ row: record.row, ...e })));
      continue;
    }
    const value =
      action.upload.format === 'csv' && metadataSchema
        ? typeCsvMetadata(record.value, metadataSchema.properties)
        : record.value;
    const checked = validateCustomerRow(value, { requireSourceId: action.type === 'CUSTOMERS_BULK_UPDATE' });
    if (checked.ok) valid.push({ row: record.row, input: checked.input });
    else errors.push(...checked.errors.map((e) => ({ row: record.row, ...e })));
  }
  const written = await writeCustomerBatch(deps, action._id, valid, now, metadataSchema);
  errors.push(...written.errors);
  errors.sort((a, b) => a.row - b.row);
  return { counts: { done: written.written, failed: new Set(errors.map((e) => e.row)).size }, errors };
}

/** Ends an action: DONE with its counts, or FAILED with why; then drops the upload. Repeating it is harmless. */
export async function finishImport(
  deps: Pick<ImportDeps, 'db' | 'models'>,
  asyncActionId: string,
  failure?: string,
): Promise<void> {
  const { AsyncAction } = deps.models;
  const action = await AsyncAction.findById(asyncActionId).lean();
  if (!action) return;
  if (action.status === 'ENQUEUED' || action.status === 'IN_PROGRESS') {
    const { done_count: done, failed_count: failed } = action.result;
    const truncated = action.result.errors_truncated
      ? ` Only the first ${MAX_STORED_ERRORS} row errors are listed.`
      : '';
    const set = failure
      ? {
          status: 'FAILED',
          operation_status: 'FAILED',
          'result.message': `${failure}${done + failed > 0 ? ` (${done} rows were imported and ${failed} failed before it stopped.)` : ''}`,
        }
      : {
          status: 'DONE',
          operation_status: failed === 0 ? 'SUCCESS' : done === 0 ? 'FAILED' : 'PARTIALLY_SUCCESS',
          progress: 100,
          'result.message': `${done} customers imported, ${failed} rows failed.${truncated}`,
        };
    await AsyncAction.updateOne({ _id: asyncActionId, status: { $in: ['ENQUEUED', 'IN_PROGRESS'] } }, { $set: set });
  }
  await deleteUpload(deps.db, action.upload.file_id);
}
