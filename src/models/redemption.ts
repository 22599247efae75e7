import { Schema, type Connection, type Model } from 'mongoose';
import { outboxFields, type PendingEvent } from './outbox';

/**
 * One use of a voucher or a promotion tier (exactly one of `voucher_id` and
 * `promotion_tier_id` is set), or one refused attempt (`FAILED`, with its failure key and
 * `customer.redemption.failed` event). Its `customer.redemption.succeeded` event is in its
 * outbox from the insert on; a rollback flips `status` SUCCEEDED -> ROLLED_BACK with one
 * conditional update that also appends `customer.redemption.rollback.succeeded`.
 */
const redemptionSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** The stacked request's id (`r_…`) this redemption was part of. */
    parent_redemption_id: { type: String, index: true },
    date: { type: Date, required: true },
    customer_id: { type: String, index: true },
    /** A referral code's holder, credited for this (referred) customer's redemption. */
    referrer_id: { type: String, index: true },
    tracking_id: String,
    metadata: { type: Schema.Types.Mixed, default: {} },
    /** Discount granted, in cents. */
    amount: { type: Number, default: 0 },
    order: Schema.Types.Mixed,
    result: { type: String, enum: ['SUCCESS', 'FAILURE'], required: true },
    status: { type: String, enum: ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'], required: true },
    voucher_id: { type: String, index: true },
    voucher_code: String,
    /** Set instead of the voucher fields when a promotion tier was redeemed. */
    promotion_tier_id: String,
    campaign_id: { type: String, index: true },
    rollback: Schema.Types.Mixed,
    /** Refused rollbacks of this redemption (Voucherify's `total_rollback_failed`). */
    rollback_failures: Number,
    /** What the referrer of a referral redemption was credited, and whether a rollback withdrew it. */
    referrer_reward: Schema.Types.Mixed,
    failure_code: String,
    failure_message: String,
    ...outboxFields,
  },
  {
    collection: 'redemptions',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
redemptionSchema.index({ campaign_id: 1, customer_id: 1, status: 1 });
redemptionSchema.index({ voucher_id: 1, customer_id: 1, status: 1 });

export interface RedemptionOrder {
  id?: string;
  source_id?: string;
  amount: number | null;
  discount_amount: number;
  total_amount: number | null;
  items?: unknown[];
  metadata?: Record<string, unknown>;
}

/**
 * The referrer's reward of one referral redemption: the card credited (`amount`: cents or
 * points) or the code published, or neither for a MATERIAL reward. `NOT_CREDITED` and
 * `NOT_WITHDRAWN` say why in `reason`.
 */
export interface ReferrerReward {
  reward_id: string;
  type: 'CAMPAIGN' | 'MATERIAL';
  status: 'CREDITED' | 'NOT_CREDITED' | 'WITHDRAWN' | 'NOT_WITHDRAWN';
  date: Date;
  voucher_id?: string;
  code?: string;
  amount?: number;
  reason?: string;
}

export interface RedemptionDoc {
  _id: string;
  parent_redemption_id?: string;
  date: Date;
  customer_id?: string;
  referrer_id?: string;
  tracking_id?: string;
  metadata: Record<string, unknown>;
  amount: number;
  order?: RedemptionOrder;
  result: 'SUCCESS' | 'FAILURE';
  status: 'SUCCEEDED' | 'FAILED' | 'ROLLED_BACK';
  voucher_id?: string;
  voucher_code?: string;
  promotion_tier_id?: string;
  campaign_id?: string;
  rollback?: { id: string; date: Date; reason?: string; tracking_id?: string };
  rollback_failures?: number;
  referrer_reward?: ReferrerReward;
  failure_code?: string;
  failure_message?: string;
  _outbox?: PendingEvent[];
  outbox_pending?: boolean;
  created_at: Date;
  updated_at: Date;
}

export type RedemptionModel = Model<RedemptionDoc>;

export function redemptionModel(db: Connection): RedemptionModel {
  return (
    (db.models.Redemption as RedemptionModel | undefined) ?? db.model<RedemptionDoc>('Redemption', redemptionSchema)
  );
}
