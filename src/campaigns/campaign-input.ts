import { z } from 'zod';
import { metadataInput } from '../customers/customer-input';
import { codeConfigInput } from './code-config';

/** A voucher's or promotion tier's discount, Voucherify's shape (amounts in cents). */
export const discountInput = z.strictObject({
  type: z.enum(['AMOUNT', 'PERCENT', 'UNIT', 'FIXED']),
  amount_off: z.number().int().min(0).optional().describe('cents'),
  percent_off: z.number().min(0).max(100).optional(),
  amount_limit: z.number().int().min(0).optional(),
  unit_off: z.number().int().min(0).optional(),
  unit_type: z.string().optional(),
  fixed_amount: z.number().int().min(0).optional(),
  effect: z.string().optional(),
});

export const voucherTemplateInput = z.strictObject({
  type: z.enum(['DISCOUNT_VOUCHER', 'GIFT_VOUCHER', 'LOYALTY_CARD']),
  discount: discountInput.optional(),
  gift: z.strictObject({ amount: z.number().int().min(0), effect: z.string().optional() }).optional(),
  loyalty_card: z.strictObject({ points: z.number().int().min(0) }).optional(),
  redemption: z.strictObject({ quantity: z.number().int().min(1).nullable() }).optional(),
  code_config: codeConfigInput.optional(),
  is_referral_code: z.boolean().optional(),
});

/** What `campaigns.create` sends, for unique-code campaigns. */
export const campaignInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  campaign_type: z.enum(['DISCOUNT_COUPONS', 'GIFT_VOUCHERS', 'LOYALTY_PROGRAM', 'REFERRAL_PROGRAM']).optional(),
  /** REFERRAL_PROGRAM: a redemption of a referral code by another customer converts; the code's holder is the referrer. */
  referral_program: z
    .strictObject({
      conversion_event_type: z
        .literal('redemption')
        .default('redemption')
        .describe('only redemption conversions are supported'),
      referrer_reward: z
        .strictObject({ id: z.string().min(1).max(100) })
        .optional()
        .describe(
          "the reward (from /v1/rewards) each conversion earns the referrer; this engine's addition: Voucherify sets it in referral tiers",
        ),
    })
    .optional(),
  type: z.enum(['AUTO_UPDATE', 'STATIC']).default('AUTO_UPDATE'),
  vouchers_count: z.number().int().min(1).max(1_000_000).default(1),
  voucher: voucherTemplateInput,
  start_date: z.iso.datetime({ offset: true }).optional(),
  expiration_date: z.iso.datetime({ offset: true }).optional(),
  join_once: z.boolean().default(false),
  metadata: metadataInput.optional(),
});

export type CampaignInput = z.infer<typeof campaignInput>;

/**
 * What an update may change (Voucherify limits updates too). New dates reach the codes not
 * yet published; published codes keep the terms their holders received.
 */
export const campaignUpdateInput = z.strictObject({
  description: z.string().max(2000).nullable().optional(),
  type: z.enum(['AUTO_UPDATE', 'STATIC']).optional(),
  start_date: z.iso.datetime({ offset: true }).nullable().optional(),
  expiration_date: z.iso.datetime({ offset: true }).nullable().optional(),
  join_once: z.boolean().optional(),
  metadata: metadataInput.optional(),
});

export type CampaignUpdateInput = z.infer<typeof campaignUpdateInput>;
