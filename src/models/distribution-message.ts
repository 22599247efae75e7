import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One message of a distribution run to one customer on one channel. Its `_id` is made from
 * (distribution, run, customer, channel index) — see `messageId` — so a retried or replayed
 * delivery finds the record it already wrote and never sends twice. Written `queued` before
 * the provider is called, `sent` only after the provider accepted it.
 */
const distributionMessageSchema = new Schema(
  {
    _id: { type: String, required: true },
    distribution_id: { type: String, required: true },
    /** `manual` for a manual distribution's run, else the id of the event that fired it. */
    run: { type: String, required: true },
    customer_id: { type: String, required: true },
    channel_index: { type: Number, required: true },
    channel_type: { type: String, required: true },
    status: { type: String, required: true, enum: ['queued', 'sent', 'skipped', 'failed', 'unknown'] },
    /**
     * Set in the write that queues it for a provider call, unset in the write of the call's
     * outcome: still set on a later attempt means the call may have happened (a crash between).
     */
    in_flight: Boolean,
    /** Why skipped or failed: `missing_consent`, `unsubscribed`, `missing_email`, `permanent_error`, … */
    reason: String,
    /** The provider's last error text (never credentials). */
    error: String,
    provider_message_id: String,
    voucher_code: String,
    publication_id: String,
    attempts: { type: Number, default: 0 },
    sent_at: Date,
  },
  {
    collection: 'distribution_messages',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
distributionMessageSchema.index({ distribution_id: 1, status: 1 });
distributionMessageSchema.index({ customer_id: 1, created_at: -1 });

export type { MessageStatus } from '../../workflows/contracts/statuses';
import type { MessageStatus } from '../../workflows/contracts/statuses';

export interface DistributionMessageDoc {
  _id: string;
  distribution_id: string;
  run: string;
  customer_id: string;
  channel_index: number;
  channel_type: string;
  status: MessageStatus;
  reason?: string;
  error?: string;
  provider_message_id?: string;
  voucher_code?: string;
  publication_id?: string;
  attempts: number;
  in_flight?: boolean;
  sent_at?: Date;
  created_at: Date;
  updated_at: Date;
}

/** The deterministic id of a message: the idempotency key handed to providers too. */
export function messageId(distributionId: string, run: string, customerId: string, channelIndex: number): string {
  return `msg_${distributionId}.${run}.${customerId}.${channelIndex}`;
}

export type DistributionMessageModel = Model<DistributionMessageDoc>;

export function distributionMessageModel(db: Connection): DistributionMessageModel {
  return (
    (db.models.DistributionMessage as DistributionMessageModel | undefined) ??
    db.model<DistributionMessageDoc>('DistributionMessage', distributionMessageSchema)
  );
}
