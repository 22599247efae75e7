import { Schema, type Connection, type Model } from 'mongoose';

export type SegmentType = 'static' | 'auto-update' | 'passive';

/**
 * A customer segment. Membership lives on the customers (`customers.segments`), so one
 * customer write can change its memberships and raise entered/left events atomically.
 */
const segmentSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    /** `static`: a fixed list; `auto-update`: a filter, with entered/left events; `passive`: a filter, no events. */
    type: { type: String, required: true, enum: ['static', 'auto-update', 'passive'] },
    /** Voucherify's filter JSON (see src/segments/filter.ts); absent for static segments. */
    filter: { type: Schema.Types.Mixed },
    /** Member customer ids of a static segment (at most 20,000, as at Voucherify). */
    customers: { type: [String], default: undefined },
    metadata: { type: Schema.Types.Mixed },
    /** Bumped on every filter edit; a sync run only finishes the revision it started for. */
    revision: { type: Number, default: 1 },
    /** `syncing` while the sync workflow re-evaluates every customer for this revision. */
    sync_status: { type: String, enum: ['syncing', 'synced'], default: 'syncing' },
    /** Members when the last sync finished. */
    size: { type: Number, default: 0 },
    synced_at: Date,
    /** Set by DELETE; the sync workflow then removes the memberships and the document. */
    deleted_at: Date,
  },
  {
    collection: 'segments',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);

export interface SegmentDoc {
  _id: string;
  name: string;
  type: SegmentType;
  filter?: Record<string, unknown>;
  customers?: string[];
  metadata?: Record<string, unknown>;
  revision: number;
  sync_status: 'syncing' | 'synced';
  size: number;
  synced_at?: Date;
  deleted_at?: Date;
  created_at: Date;
  updated_at: Date;
}

export type SegmentModel = Model<SegmentDoc>;

export function segmentModel(db: Connection): SegmentModel {
  return (db.models.Segment as SegmentModel | undefined) ?? db.model<SegmentDoc>('Segment', segmentSchema);
}
