import { Schema, type Connection, type Model } from 'mongoose';
import { outboxFields, type PendingEvent } from './outbox';

/** A code assigned to a customer. Its `key` makes repeated publications return the first one. */
const publicationSchema = new Schema(
  {
    _id: { type: String, required: true },
    /**
     * `source:<campaign>:<source_id>` (idempotent by the caller's id), `join:<campaign>:<customer>`
     * (join-once campaigns) or `once:<id>`; unique, so concurrent repeats share one publication.
     */
    key: { type: String, required: true, unique: true },
    campaign_id: { type: String, required: true },
    customer_id: { type: String, required: true },
    /** Set once, conditionally: the code this publication got. */
    voucher_id: String,
    source_id: String,
    channel: { type: String, default: 'API' },
    metadata: { type: Schema.Types.Mixed, default: {} },
    ...outboxFields,
  },
  {
    collection: 'publications',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
publicationSchema.index({ customer_id: 1, campaign_id: 1 });

export interface PublicationDoc {
  _id: string;
  key: string;
  campaign_id: string;
  customer_id: string;
  voucher_id?: string;
  source_id?: string;
  channel: string;
  metadata: Record<string, unknown>;
  _outbox?: PendingEvent[];
  outbox_pending?: boolean;
  created_at: Date;
  updated_at: Date;
}

export type PublicationModel = Model<PublicationDoc>;

export function publicationModel(db: Connection): PublicationModel {
  return (
    (db.models.Publication as PublicationModel | undefined) ??
    db.model<PublicationDoc>('Publication', publicationSchema)
  );
}
