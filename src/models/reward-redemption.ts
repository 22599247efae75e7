import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A reward bought with a loyalty card's points. Its id is chosen before the points are
 * taken and carried by the `customer.rewarded` event written with them, so the event and
 * this record always agree even if the record is written after a crash-free retry.
 */
const rewardRedemptionSchema = new Schema(
  {
    _id: { type: String, required: true },
    reward_id: { type: String, required: true },
    voucher_id: { type: String, required: true },
    customer_id: String,
    points: { type: Number, required: true },
    metadata: { type: Schema.Types.Mixed, default: {} },
  },
  {
    collection: 'reward_redemptions',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: false },
  },
);
rewardRedemptionSchema.index({ voucher_id: 1, created_at: -1 });

export interface RewardRedemptionDoc {
  _id: string;
  reward_id: string;
  voucher_id: string;
  customer_id?: string;
  points: number;
  metadata: Record<string, unknown>;
  created_at: Date;
}

export type RewardRedemptionModel = Model<RewardRedemptionDoc>;

export function rewardRedemptionModel(db: Connection): RewardRedemptionModel {
  return (
    (db.models.RewardRedemption as RewardRedemptionModel | undefined) ??
    db.model<RewardRedemptionDoc>('RewardRedemption', rewardRedemptionSchema)
  );
}
