import type { CampaignDoc } from '../models/campaign';
import type { PromotionTierDoc } from '../models/promotion-tier';
import type { VoucherDoc } from '../models/voucher';
import type { CustomerRefInput } from './referral';
import type { RedeemedObject } from './redemption-tallies';

export type { CustomerRefInput } from './referral';

export interface OrderInput {
  id?: string;
  source_id?: string;
  amount?: number | null;
  items?: Array<Record<string, unknown>>;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface StackableInput {
  redeemables: Array<{ object: string; id: string }>;
  customer?: CustomerRefInput;
  /** Voucherify's `referrer` of a referral code's redemption (its holder). */
  referrer?: CustomerRefInput;
  order?: OrderInput;
  tracking_id?: string;
  metadata?: Record<string, unknown>;
}

/** Why a code cannot be used: Voucherify's error object, as listed in `inapplicable_redeemables`. */
export interface RedeemableError {
  code: number;
  key: string;
  message: string;
  details: string;
  error?: { message: string };
}

/** What a redeemable names once found: a code of a campaign, or a promotion tier of one. */
export type Target =
  | { object: 'voucher'; voucher: VoucherDoc; campaign: CampaignDoc }
  | { object: 'promotion_tier'; tier: PromotionTierDoc; campaign: CampaignDoc };

export interface Applicable {
  ok: true;
  /** The id the request gave: a code (or voucher id), or a tier id. */
  code: string;
  target: Target;
  discount: number;
}
export interface Inapplicable {
  ok: false;
  code: string;
  object: string;
  error: RedeemableError;
  /** The voucher or tier, when it exists: a refused redemption of it is recorded. */
  target?: Target;
}
export type Check = Applicable | Inapplicable;

/** Only the audience rules (`customer.*`) are asked about, e.g. the legacy promotions validation's `audienceRulesOnly`. */
export interface CheckOptions {
  audienceOnly?: boolean;
}

export function objectOf(t: Target): RedeemedObject {
  return t.object === 'voucher' ? { type: 'voucher', id: t.voucher._id } : { type: 'promotion_tier', id: t.tier._id };
}

export function discountOf(t: Target): Record<string, unknown> | undefined {
  return t.object === 'voucher' ? t.voucher.discount : t.tier.action.discount;
}
