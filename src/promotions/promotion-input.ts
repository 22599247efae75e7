import { z } from 'zod';
import { discountInput } from '../campaigns/campaign-input';
import { metadataInput } from '../customers/customer-input';
import { FREE_SHIPPING_UNIT } from '../templates/message-variables';

const id = z.string().trim().min(1).max(200);
const date = z.iso.datetime({ offset: true });

/** The field each discount type needs to mean anything; a tier without it would discount nothing. */
const VALUE_FIELD = { AMOUNT: 'amount_off', PERCENT: 'percent_off', UNIT: 'unit_type', FIXED: 'fixed_amount' } as const;

/** A tier's discount: the voucher discount shape, with its value required. */
export const tierDiscountInput = discountInput.superRefine((d, ctx) => {
  const field = VALUE_FIELD[d.type];
  if (d[field] === undefined)
    ctx.addIssue({ code: 'custom', path: [field], message: `a ${d.type} discount needs ${field}` });
});

/** Start before end, wherever both are given. */
function datesInOrder(v: { start_date?: string | null; expiration_date?: string | null }, ctx: z.RefinementCtx): void {
  if (v.start_date && v.expiration_date && new Date(v.start_date) >= new Date(v.expiration_date)) {
    ctx.addIssue({ code: 'custom', path: ['expiration_date'], message: 'must be after start_date' });
  }
}

const tierObject = z.strictObject({
  name: z.string().trim().min(1).max(200),
  banner: z.string().max(1000).optional().describe('What a shop shows customers about the tier'),
  action: z
    .strictObject({ discount: tierDiscountInput })
    .describe(
      `The discount: AMOUNT, PERCENT, FIXED or UNIT (free shipping: UNIT with unit_type ${FREE_SHIPPING_UNIT})`,
    ),
  hierarchy: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe(
      'Order of evaluation inside the campaign, 1 first; unique per campaign; after the last tier when omitted',
    ),
  validation_rules: z
    .array(id)
    .max(1)
    .optional()
    .describe('The validation rule (one per tier, as for any object) a customer and order must meet'),
  start_date: date.optional(),
  expiration_date: date.optional(),
  active: z.boolean().optional(),
  metadata: metadataInput.optional(),
});

/** What `promotions.tiers.create` sends (and each tier of a new promotion campaign). */
export const tierInput = tierObject.superRefine(datesInOrder);

export type TierInput = z.infer<typeof tierInput>;

/** What `promotions.tiers.update` sends: the fields to change (`null` clears one); the SDK repeats the `id`. */
export const tierUpdateInput = tierObject
  .partial()
  .extend({
    id: id.optional().describe('Ignored: the path names the tier'),
    banner: tierObject.shape.banner.nullable(),
    start_date: date.nullable().optional(),
    expiration_date: date.nullable().optional(),
    validation_rules: tierObject.shape.validation_rules.describe("Replaces the tier's rule; [] removes it"),
  })
  .superRefine(datesInOrder);

export type TierUpdateInput = z.infer<typeof tierUpdateInput>;

/** A PROMOTION campaign as `campaigns.create` / `promotions.create` send it: no codes, one or more tiers. */
export const promotionCampaignInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    campaign_type: z.literal('PROMOTION'),
    type: z.literal('STATIC').optional().describe('A promotion has no code pool to grow'),
    start_date: date.optional(),
    expiration_date: date.optional(),
    metadata: metadataInput.optional(),
    promotion: z.strictObject({ tiers: z.array(tierInput).min(1, 'a promotion needs at least one tier').max(100) }),
  })
  .superRefine((v, ctx) => {
    datesInOrder(v, ctx);
    const seen = new Map<number, number>();
    v.promotion.tiers.forEach((t, i) => {
      if (t.hierarchy === undefined) return;
      const first = seen.get(t.hierarchy);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['promotion', 'tiers', i, 'hierarchy'],
          message: `tier ${first} has hierarchy ${t.hierarchy} too`,
        });
      else seen.set(t.hierarchy, i);
    });
  });

export type PromotionCampaignInput = z.infer<typeof promotionCampaignInput>;

/**
 * Hierarchies for new tiers: the given ones, and after the highest taken (existing or given)
 * for the rest, in input order. Pure, so the campaign and tier paths number alike.
 */
export function assignHierarchies(wanted: ReadonlyArray<number | undefined>, taken: readonly number[]): number[] {
  let next = Math.max(0, ...taken, ...wanted.filter((h): h is number => h !== undefined));
  return wanted.map((h) => h ?? ++next);
}
