import type { CampaignDoc } from '../models/campaign';
import type { VoucherDoc } from '../models/voucher';

/** A voucher in Voucherify's shape. */
export function toVoucherJson(v: VoucherDoc, campaign: Pick<CampaignDoc, 'name'>) {
  return {
    id: v._id,
    code: v.code,
    campaign: campaign.name,
    campaign_id: v.campaign_id,
    type: v.type,
    discount: v.discount ?? null,
    gift: v.gift ?? null,
    loyalty_card: v.loyalty_card ?? null,
    start_date: v.start_date?.toISOString() ?? null,
    expiration_date: v.expiration_date?.toISOString() ?? null,
    active: v.active,
    metadata: v.metadata ?? {},
    holder_id: v.holder_id ?? null,
    publish: { object: 'list' as const, count: v.holder_id ? 1 : 0 },
    redemption: {
      quantity: v.redemption.quantity,
      redeemed_quantity: v.redemption.redeemed_quantity,
      object: 'list' as const,
    },
    created_at: v.created_at.toISOString(),
    updated_at: v.updated_at?.toISOString() ?? null,
    object: 'voucher' as const,
  };
}

/** A campaign in Voucherify's shape; a PROMOTION campaign's tiers come as `promotion` (the caller loads them). */
export function toCampaignJson(c: CampaignDoc, promotion?: Record<string, unknown>) {
  return {
    id: c._id,
    name: c.name,
    description: c.description ?? null,
    campaign_type: c.campaign_type,
    type: c.type,
    vouchers_count: c.vouchers_count,
    ...(c.voucher ? { voucher: c.voucher } : {}),
    ...(promotion ? { promotion } : {}),
    ...(c.referral_program ? { referral_program: c.referral_program } : {}),
    start_date: c.start_date?.toISOString() ?? null,
    expiration_date: c.expiration_date?.toISOString() ?? null,
    join_once: c.join_once,
    metadata: c.metadata,
    active: c.active,
    vouchers_generation_status: c.vouchers_generation_status,
    creation_status: c.vouchers_generation_status,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at?.toISOString() ?? null,
    object: 'campaign' as const,
  };
}
