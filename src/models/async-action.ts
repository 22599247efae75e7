import { Schema, type Connection, type Model, type mongo } from 'mongoose';

export const ASYNC_ACTION_TYPES = ['CUSTOMERS_IMPORT_CSV', 'CUSTOMERS_IMPORT', 'CUSTOMERS_BULK_UPDATE'] as const;
export type AsyncActionType = (typeof ASYNC_ACTION_TYPES)[number];

export const ASYNC_ACTION_STATUSES = ['ENQUEUED', 'IN_PROGRESS', 'DONE', 'FAILED'] as const;
export type AsyncActionStatus = (typeof ASYNC_ACTION_STATUSES)[number];

export type OperationStatus = 'SUCCESS' | 'PARTIALLY_SUCCESS' | 'FAILED';

/** How the stored upload is parsed. */
export type UploadFormat = 'csv' | 'json' | 'ndjson';

export interface RowError {
  /** 1-based position of the record in the upload; a CSV header is not counted. */
  row: number;
  /** API field path, e.g. `email`, `address.city`, `metadata.tier`; `(row)` for the record as a whole. */
  field: string;
  reason: string;
}

/**
 * A long-running operation a client polls (Voucherify's `async_action`). Imports keep
 * their cursor here, so whichever activity attempt runs next resumes after the last
 * batch whose counts were committed.
 */
const asyncActionSchema = new Schema(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true, enum: ASYNC_ACTION_TYPES },
    status: { type: String, required: true, enum: ASYNC_ACTION_STATUSES, default: 'ENQUEUED' },
    operation_status: { type: String, enum: ['SUCCESS', 'PARTIALLY_SUCCESS', 'FAILED'] },
    /** Percent of the upload's bytes processed. */
    progress: { type: Number, default: 0 },
    /** The stored upload (a GridFS file); removed once the action ends. */
    upload: {
      file_id: { type: Schema.Types.ObjectId, required: true },
      format: { type: String, enum: ['csv', 'json', 'ndjson'], required: true },
      bytes: { type: Number, required: true },
      filename: String,
    },
    /** Rows handled and the byte offset right after the last of them: where the next batch starts. */
    cursor: { row: { type: Number, default: 0 }, byte: { type: Number, default: 0 } },
    /** The CSV header, kept so a resumed run can parse from the middle of the file. */
    csv_header: { type: [String], default: undefined },
    result: {
      done_count: { type: Number, default: 0 },
      failed_count: { type: Number, default: 0 },
      errors: { type: [Schema.Types.Mixed], default: [] },
      /** Set when more errors happened than are kept (see MAX_STORED_ERRORS). */
      errors_truncated: { type: Boolean, default: false },
      /** Why a FAILED action stopped. */
      message: String,
    },
  },
  {
    collection: 'async_actions',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
asyncActionSchema.index({ status: 1, created_at: 1 });
asyncActionSchema.index({ created_at: -1 });

export interface AsyncActionDoc {
  _id: string;
  type: AsyncActionType;
  status: AsyncActionStatus;
  operation_status?: OperationStatus;
  progress: number;
  upload: { file_id: mongo.ObjectId; format: UploadFormat; bytes: number; filename?: string };
  cursor: { row: number; byte: number };
  csv_header?: string[];
  result: { done_count: number; failed_count: number; errors: RowError[]; errors_truncated: boolean; message?: string };
  created_at: Date;
  updated_at: Date;
}

export type AsyncActionModel = Model<AsyncActionDoc>;

export function asyncActionModel(db: Connection): AsyncActionModel {
  return (
    (db.models.AsyncAction as AsyncActionModel | undefined) ??
    db.model<AsyncActionDoc>('AsyncAction', asyncActionSchema)
  );
}
