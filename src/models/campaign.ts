import { Schema, type Connection, type Model } from 'mongoose';

/** How a campaign's codes are made (normalised from the API's input by `campaigns/code-config`). */
export interface CodeConfig {
  /** Number of random characters: the `#` count when a pattern is given, since the pattern overrides `length`. */
  length: number;
  charset: string;
  prefix: string;
  postfix: string;
  pattern?: string;
}

/**
 * A unique-code campaign: the template its vouchers are made from and how the pool behaves
 * when it runs out. A PROMOTION campaign has no codes: its tiers (promotion-tier.ts) are what
 * customers get, so it is STATIC, has no `voucher` and its generation is DONE from the start.
 */
const campaignSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** Unique; usable wherever the id is. */
    name: { type: String, required: true, unique: true },
    description: String,
    campaign_type: {
      type: String,
      required: true,
      enum: ['DISCOUNT_COUPONS', 'GIFT_VOUCHERS', 'LOYALTY_PROGRAM', 'PROMOTION', 'REFERRAL_PROGRAM'],
    },
    /** AUTO_UPDATE: publishing from an empty pool generates more codes; STATIC: it fails. */
    type: { type: String, required: true, enum: ['AUTO_UPDATE', 'STATIC'] },
    /** Codes generated at creation (the pool may grow past it when AUTO_UPDATE). */
    vouchers_count: { type: Number, required: true },
    /** The voucher template: type, discount / gift / loyalty_card, redemption, code_config (normalised). */
    voucher: { type: Schema.Types.Mixed, required: requiresVoucher },
    start_date: Date,
    expiration_date: Date,
    /** A customer gets at most one code from this campaign; publishing again returns it. */
    join_once: { type: Boolean, default: false },
    metadata: { type: Schema.Types.Mixed, default: {} },
    /** REFERRAL_PROGRAM only: what converts a referral and the referrer's reward (see ReferralProgram). */
    referral_program: Schema.Types.Mixed,
    active: { type: Boolean, default: true },
    /** IN_PROGRESS while the initial codes are generated. */
    vouchers_generation_status: { type: String, enum: ['IN_PROGRESS', 'DONE', 'FAILED'], default: 'IN_PROGRESS' },
    /** Codes generated so far. */
    generated_count: { type: Number, default: 0 },
    /**
     * Highest voucher `seq` handed out to generation, and the claim cursor: publications take
     * the next `seq` by `$inc` and claim that code by its unique key instead of searching the
     * pool (see campaigns/code-pool.ts).
     */
    seq_reserved: { type: Number, default: 0 },
    claim_seq: { type: Number, default: 0 },
  },
  {
    collection: 'campaigns',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);

export interface CampaignDoc {
  _id: string;
  name: string;
  description?: string;
  campaign_type: 'DISCOUNT_COUPONS' | 'GIFT_VOUCHERS' | 'LOYALTY_PROGRAM' | 'PROMOTION' | 'REFERRAL_PROGRAM';
  type: 'AUTO_UPDATE' | 'STATIC';
  vouchers_count: number;
  /**
   * Absent on PROMOTION campaigns. They never reach the code pool's generation (STATIC, no codes,
   * generation DONE: publishing finds no code), which is why the pool's code reads it unchecked.
   */
  voucher: Record<string, unknown> & { type: string; code_config: CodeConfig };
  start_date?: Date;
  expiration_date?: Date;
  join_once: boolean;
  metadata: Record<string, unknown>;
  referral_program?: ReferralProgram;
  active: boolean;
  vouchers_generation_status: 'IN_PROGRESS' | 'DONE' | 'FAILED';
  generated_count: number;
  /** Absent on campaigns made before sequence claims: they claim by search. */
  seq_reserved?: number;
  claim_seq?: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Voucherify's `referral_program` (conversion by redemption of the referral code), plus the
 * referrer's reward: one of the rewards (`/v1/rewards`), recorded with its value when the
 * campaign is made, so every referral's message says what the referrer was promised.
 */
export interface ReferralProgram {
  conversion_event_type: 'redemption';
  referrer_reward?: { id: string; name: string; type: string; value: string | null; object: 'reward' };
}

function requiresVoucher(this: { campaign_type?: string }): boolean {
  return this.campaign_type !== 'PROMOTION';
}

export type CampaignModel = Model<CampaignDoc>;

export function campaignModel(db: Connection): CampaignModel {
  return (db.models.Campaign as CampaignModel | undefined) ?? db.model<CampaignDoc>('Campaign', campaignSchema);
}
