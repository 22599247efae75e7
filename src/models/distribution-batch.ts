import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One batch of a manual distribution's audience snapshot: the customers it goes to, fixed
 * when sending starts, so a restart resumes over the same list. One document per batch
 * (fetched by `_id`, `<distribution>:<n>`) rather than one per recipient keeps the fan-out
 * to id lookups, which every MongoDB-compatible server serves from its primary index.
 */
const distributionBatchSchema = new Schema(
  {
    _id: { type: String, required: true },
    distribution_id: { type: String, required: true },
    index: { type: Number, required: true },
    customer_ids: { type: [String], required: true },
    /** Set when every customer of the batch has a final message per channel. */
    done_at: Date,
  },
  { collection: 'distribution_batches', versionKey: false, minimize: false },
);

export interface DistributionBatchDoc {
  _id: string;
  distribution_id: string;
  index: number;
  customer_ids: string[];
  done_at?: Date;
}

export function batchId(distributionId: string, index: number): string {
  return `${distributionId}:${index}`;
}

export type DistributionBatchModel = Model<DistributionBatchDoc>;

export function distributionBatchModel(db: Connection): DistributionBatchModel {
  return (
    (db.models.DistributionBatch as DistributionBatchModel | undefined) ??
    db.model<DistributionBatchDoc>('DistributionBatch', distributionBatchSchema)
  );
}
