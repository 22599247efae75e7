import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * A named mutual-exclusion lease. Holding it is owning the document with its `_id`: the
 * unique `_id` insert is what every MongoDB-wire server enforces atomically, unlike
 * multi-document transactions.
 */
const lockSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** Who holds it, so a holder whose lease ran out never releases its successor's. */
    holder: { type: String, required: true },
    /** A holder that died leaves the lock; it is taken over after this. */
    expiresAt: { type: Date, required: true },
  },
  { collection: 'locks', versionKey: false },
);

export type Lock = InferSchemaType<typeof lockSchema>;
export type LockModel = Model<Lock>;

export function lockModel(db: Connection): LockModel {
  return (db.models.Lock as LockModel | undefined) ?? db.model<Lock>('Lock', lockSchema);
}
