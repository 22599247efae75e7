import { Schema, type Connection, type Model } from 'mongoose';

/** What a loyalty card's points buy: credits/points on another campaign's code, or a material item. */
const rewardSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    type: { type: String, required: true },
    /** `campaign: {id, balance?}`, `product: {id}`, `loyalty: {points}` (the default price). */
    parameters: { type: Schema.Types.Mixed, default: {} },
    /** null = unlimited. */
    stock: { type: Number, default: null },
    /** Units left (null = unlimited): taken by a conditional `$inc` guarded by `remaining >= 1`. */
    remaining: { type: Number, default: null },
    redeemed: { type: Number, default: 0 },
    attributes: { type: Schema.Types.Mixed, default: {} },
    metadata: { type: Schema.Types.Mixed, default: {} },
  },
  {
    collection: 'rewards',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);

export interface RewardDoc {
  _id: string;
  name: string;
  type: 'CAMPAIGN' | 'MATERIAL';
  parameters: {
    campaign?: { id: string; balance?: number };
    product?: { id: string };
    loyalty?: { points?: number };
    [k: string]: unknown;
  };
  stock: number | null;
  remaining: number | null;
  redeemed: number;
  attributes: Record<string, unknown>;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export type RewardModel = Model<RewardDoc>;

export function rewardModel(db: Connection): RewardModel {
  return (db.models.Reward as RewardModel | undefined) ?? db.model<RewardDoc>('Reward', rewardSchema);
}
