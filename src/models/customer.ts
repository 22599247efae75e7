import { Schema, type Connection, type Model } from 'mongoose';
import { outboxFields, type PendingEvent } from './outbox';

/**
 * A customer, stored in the shape Voucherify's API returns (snake_case), so segment
 * filters evaluate against the stored document and the API serialises it directly.
 */
const addressSchema = new Schema(
  { city: String, state: String, line_1: String, line_2: String, country: String, postal_code: String },
  { _id: false },
);

const customerSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The merchant's own id; unique, usable wherever an id is. */
    source_id: { type: String },
    /**
     * source_id, or the id when there is none: unique. A unique index on source_id alone
     * would let only one customer lack it (and some servers ignore `sparse`).
     */
    source_id_key: { type: String, required: true, unique: true },
    name: String,
    email: String,
    phone: String,
    description: String,
    /** YYYY-MM-DD. */
    birthdate: String,
    address: addressSchema,
    metadata: { type: Schema.Types.Mixed, default: {} },
    /** Derived from orders (and later redemptions); segment filters read it. */
    summary: { type: Schema.Types.Mixed, default: {} },
    loyalty: { type: Schema.Types.Mixed, default: {} },
    /** Who referred this customer (Voucherify's `referrals`), derived from referral redemptions. */
    referrals: Schema.Types.Mixed,
    /** Consent id -> whether granted and when it last changed. */
    consents: { type: Schema.Types.Mixed, default: {} },
    /** Channels the customer unsubscribed from (`email`, `sms`, …) or `all`; always honoured. */
    unsubscribed_channels: { type: [String], default: [] },
    /** Ids of the segments the customer is in (static and filter-based). */
    segments: { type: [String], default: [], index: true },
    /** Bumped by every write: writers update only the version they read, so concurrent writes retry instead of overwriting. */
    version: { type: Number, default: 0 },
    /** Set by DELETE: the document stays until its last events are relayed, then is removed. */
    deleted_at: Date,
    ...outboxFields,
  },
  {
    collection: 'customers',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
customerSchema.index({ email: 1 });
customerSchema.index({ created_at: 1, _id: 1 });

export interface Address {
  city?: string | null;
  state?: string | null;
  line_1?: string | null;
  line_2?: string | null;
  country?: string | null;
  postal_code?: string | null;
}

export interface CustomerDoc {
  _id: string;
  source_id?: string;
  source_id_key: string;
  name?: string;
  email?: string;
  phone?: string;
  description?: string;
  birthdate?: string;
  address?: Address;
  metadata: Record<string, unknown>;
  summary: Record<string, unknown>;
  loyalty: Record<string, unknown>;
  referrals?: { total: number; campaigns: Array<Record<string, unknown>> };
  consents: Record<string, { granted: boolean; updated_at: Date }>;
  unsubscribed_channels: string[];
  segments: string[];
  version: number;
  deleted_at?: Date;
  _outbox?: PendingEvent[];
  outbox_pending?: boolean;
  created_at: Date;
  updated_at: Date;
}

export type CustomerModel = Model<CustomerDoc>;

export function customerModel(db: Connection): CustomerModel {
  return (db.models.Customer as CustomerModel | undefined) ?? db.model<CustomerDoc>('Customer', customerSchema);
}
