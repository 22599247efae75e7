import { customerRef } from '../customers/customer-json';
import type { CustomerService } from '../customers/customer-service';
import { raiseEvent, type PendingEvent } from '../events/outbox';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { VoucherDoc } from '../models/voucher';

/** A customer as a redemption request names one: by id or source id, with fields to upsert. */
export interface CustomerRefInput {
  id?: string;
  source_id?: string | null;
  [field: string]: unknown;
}

/** Why a referral code cannot be used by this customer, in Voucherify's error keys. */
export interface ReferralRefusal {
  key: 'referrer_not_permitted_to_redeem' | 'invalid_referrer' | 'missing_customer';
  details: string;
}

/**
 * The referrer of a redemption of a referral program's code: the code's holder (Voucherify
 * publishes a referral code to the referrer). The referred customer must be someone else, and a
 * `referrer` the request names must be that holder, or the request is refused.
 */
export async function referrerOf(
  customers: CustomerService,
  campaign: CampaignDoc,
  voucher: VoucherDoc,
  customer: CustomerDoc | null,
  given: CustomerRefInput | undefined,
): Promise<{ referrer: CustomerDoc | null } | { refusal: ReferralRefusal }> {
  if (campaign.campaign_type !== 'REFERRAL_PROGRAM') return { referrer: null };
  const holder = voucher.holder_id ? await customers.find(voucher.holder_id) : null;
  if (given && (given.id || given.source_id)) {
    const named = await customers.find((given.id ?? given.source_id)!);
    if (!named || !holder || named._id !== holder._id)
      return {
        refusal: {
          key: 'invalid_referrer',
          details: `referrer ${given.id ?? given.source_id} does not hold referral code ${voucher.code}`,
        },
      };
  }
  // An unpublished referral code converts for nobody; it redeems like any code.
  if (!holder) return { referrer: null };
  if (!customer)
    return {
      refusal: { key: 'missing_customer', details: `referral code ${voucher.code} needs the referred customer` },
    };
  if (customer._id === holder._id)
    return {
      refusal: {
        key: 'referrer_not_permitted_to_redeem',
        details: `customer ${customer._id} holds referral code ${voucher.code} and cannot redeem it`,
      },
    };
  return { referrer: holder };
}

/** The referral code and its program, as the referral events name them. */
function codeRefs(campaign: CampaignDoc, voucher: VoucherDoc) {
  return {
    voucher: { id: voucher._id, code: voucher.code, type: voucher.type, campaign_id: campaign._id, object: 'voucher' },
    campaign: { id: campaign._id, name: campaign.name, object: 'campaign' },
  };
}

/**
 * The referrer's reward for one conversion: `customer.rewarded` to the referrer (what the
 * `reward_redeemed` trigger sends on), written in the redemption's own outbox so the credit
 * exists exactly when the redemption does.
 */
export function referralRewardEvent(
  redemptionId: string,
  campaign: CampaignDoc,
  voucher: VoucherDoc,
  referrer: CustomerDoc,
  referee: CustomerDoc | null,
  now: Date,
): PendingEvent | undefined {
  const reward = campaign.referral_program?.referrer_reward;
  if (!reward) return undefined;
  return raiseEvent(
    'customer.rewarded',
    { type: 'redemption', id: redemptionId },
    {
      customer: customerRef(referrer),
      reward,
      ...codeRefs(campaign, voucher),
      referral: {
        referee: referee ? customerRef(referee) : null,
        reward,
        redemption: { id: redemptionId, object: 'redemption' },
      },
    },
    referrer._id,
    now,
  );
}

/**
 * Voucherify's `customer.referred`: the referred customer (`customer`) converted on the
 * referrer's code; raised with the redemption, in its outbox.
 */
export function referredEvent(
  redemptionId: string,
  campaign: CampaignDoc,
  voucher: VoucherDoc,
  referrer: CustomerDoc,
  referee: CustomerDoc | null,
  now: Date,
): PendingEvent | undefined {
  if (!referee) return undefined;
  return raiseEvent(
    'customer.referred',
    { type: 'redemption', id: redemptionId },
    {
      customer: customerRef(referee),
      referrer: customerRef(referrer),
      ...codeRefs(campaign, voucher),
      redemption: { id: redemptionId, object: 'redemption' },
    },
    referee._id,
    now,
  );
}
