import { Schema, type Connection, type Model } from 'mongoose';

/**
 * How many standing (not rolled back) redemptions a voucher or campaign has, overall or for
 * one customer — `_id` like `campaign:<id>` or `voucher:<id>:<customer>`. Redemptions reserve
 * their place here with one atomic `$inc` before they are written, so validation rules that
 * limit counts hold under parallel requests (counting redemption documents could not).
 */
const redemptionTallySchema = new Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
  },
  { collection: 'redemption_tallies', versionKey: false },
);

export interface RedemptionTallyDoc {
  _id: string;
  count: number;
}

export type RedemptionTallyModel = Model<RedemptionTallyDoc>;

export function redemptionTallyModel(db: Connection): RedemptionTallyModel {
  return (
    (db.models.RedemptionTally as RedemptionTallyModel | undefined) ??
    db.model<RedemptionTallyDoc>('RedemptionTally', redemptionTallySchema)
  );
}
