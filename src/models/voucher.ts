import { Schema, type Connection, type Model } from 'mongoose';
import { outboxFields, type PendingEvent } from './outbox';

/**
 * One code of a campaign. A code is claimed for a customer by a single conditional update
 * (`holder_id` unset -> set), which MongoDB applies atomically: two publications can never
 * get the same code.
 */
const voucherSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The code itself; the unique index is what makes generation collision-safe. */
    code: { type: String, required: true, unique: true },
    campaign_id: { type: String, required: true },
    /** Position in the campaign's pool, unique per campaign: the key a publication claims the code by. */
    seq: Number,
    type: { type: String, required: true },
    discount: Schema.Types.Mixed,
    gift: Schema.Types.Mixed,
    loyalty_card: Schema.Types.Mixed,
    /** `quantity` (null = unlimited) and `redeemed_quantity`. */
    redemption: { type: Schema.Types.Mixed, default: () => ({ quantity: null, redeemed_quantity: 0 }) },
    active: { type: Boolean, default: true },
    start_date: Date,
    expiration_date: Date,
    metadata: { type: Schema.Types.Mixed, default: {} },
    /** The customer it was published to; unset while the code is free. */
    holder_id: String,
    /** The publication that claimed it: lets a retried publication find its code after a crash. */
    publication_id: String,
    published_at: Date,
    /** source_ids of balance operations already applied: the guard that makes them idempotent. */
    balance_source_ids: { type: [String], default: undefined },
    ...outboxFields,
  },
  {
    collection: 'vouchers',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
voucherSchema.index({ campaign_id: 1, holder_id: 1 });
// A customer's cards across campaigns, for its summary (src/redemptions/redemption-summary.ts).
voucherSchema.index({ holder_id: 1 });
// An exact-key lookup on every MongoDB-compatible server, unlike a search for any free code.
voucherSchema.index({ campaign_id: 1, seq: 1 }, { unique: true });
voucherSchema.index({ publication_id: 1 });

export interface VoucherDoc {
  _id: string;
  code: string;
  campaign_id: string;
  seq?: number;
  type: string;
  discount?: Record<string, unknown>;
  gift?: Record<string, unknown>;
  loyalty_card?: Record<string, unknown>;
  redemption: { quantity: number | null; redeemed_quantity: number };
  active: boolean;
  start_date?: Date;
  expiration_date?: Date;
  metadata: Record<string, unknown>;
  holder_id?: string;
  publication_id?: string;
  published_at?: Date;
  balance_source_ids?: string[];
  _outbox?: PendingEvent[];
  outbox_pending?: boolean;
  created_at: Date;
  updated_at: Date;
}

export type VoucherModel = Model<VoucherDoc>;

export function voucherModel(db: Connection): VoucherModel {
  return (db.models.Voucher as VoucherModel | undefined) ?? db.model<VoucherDoc>('Voucher', voucherSchema);
}
