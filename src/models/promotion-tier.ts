import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One tier of a PROMOTION campaign: an in-cart discount any customer and order meeting its
 * validation rules gets, without a code. Its rules live in `validation_rule_assignments`
 * (related_object_type `promotion_tier`), like a voucher's.
 */
const promotionTierSchema = new Schema(
  {
    _id: { type: String, required: true },
    campaign_id: { type: String, required: true },
    name: { type: String, required: true },
    /** The text a shop shows beside the cart (Voucherify's `banner`). */
    banner: String,
    /** `{ discount: {type, amount_off | percent_off | unit_off | fixed_amount, …} }`, validated on write. */
    action: { type: Schema.Types.Mixed, required: true },
    /** Order of evaluation inside the campaign (1 first); unique per campaign. */
    hierarchy: { type: Number, required: true },
    active: { type: Boolean, default: true },
    /** The tier's own validity; the campaign's dates apply when absent. */
    start_date: Date,
    expiration_date: Date,
    metadata: { type: Schema.Types.Mixed, default: {} },
    /** Running totals of standing redemptions (rollbacks subtract), for the tier's `summary`. */
    redeemed_count: { type: Number, default: 0 },
    orders_total_amount: { type: Number, default: 0 },
    orders_discount_amount: { type: Number, default: 0 },
  },
  {
    collection: 'promotion_tiers',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
// Two tiers of a campaign never share a place in its order, even when written concurrently.
promotionTierSchema.index({ campaign_id: 1, hierarchy: 1 }, { unique: true });

export interface PromotionTierDoc {
  _id: string;
  campaign_id: string;
  name: string;
  banner?: string;
  action: { discount: Record<string, unknown> & { type: string } };
  hierarchy: number;
  active: boolean;
  start_date?: Date;
  expiration_date?: Date;
  metadata: Record<string, unknown>;
  redeemed_count: number;
  orders_total_amount: number;
  orders_discount_amount: number;
  created_at: Date;
  updated_at: Date;
}

export type PromotionTierModel = Model<PromotionTierDoc>;

export function promotionTierModel(db: Connection): PromotionTierModel {
  return (
    (db.models.PromotionTier as PromotionTierModel | undefined) ??
    db.model<PromotionTierDoc>('PromotionTier', promotionTierSchema)
  );
}
