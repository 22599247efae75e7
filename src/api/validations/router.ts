import { z } from 'zod';
import { metadataInput } from '../../customers/customer-input';
import type { RedemptionService } from '../../redemptions/redemption-service';
import { ApiRouter } from '../../http/api-router';

const redeemable = z
  .object({ object: z.enum(['voucher', 'promotion_tier', 'promotion_stack']), id: z.string().min(1) })
  .catchall(z.unknown());
const customerRef = z
  .object({ id: z.string().optional(), source_id: z.string().nullable().optional() })
  .catchall(z.unknown());
const order = z
  .object({
    id: z.string().optional(),
    source_id: z.string().optional(),
    amount: z.number().int().nonnegative().nullable().optional(),
    items: z.array(z.record(z.string(), z.unknown())).optional(),
    metadata: metadataInput.optional(),
  })
  .catchall(z.unknown());

/** The stackable validation / redemption body (Voucherify's `redeemables` request). */
export const stackableBody = z
  .object({
    redeemables: z.array(redeemable).min(1).max(30),
    customer: customerRef.optional(),
    referrer: customerRef
      .optional()
      .describe("The customer who referred this one (a referral code's holder): given, it must be that holder"),
    order: order.optional(),
    tracking_id: z.string().max(200).optional(),
    metadata: metadataInput.optional(),
  })
  .catchall(z.unknown());

export const singleRedeemBody = z
  .object({
    customer: customerRef.optional(),
    referrer: customerRef.optional(),
    order: order.optional(),
    tracking_id: z.string().max(200).optional(),
    metadata: metadataInput.optional(),
  })
  .catchall(z.unknown());

export function validationsRouter({ redemptions }: { redemptions: RedemptionService }): ApiRouter {
  return new ApiRouter('/v1/validations', 'Validations').route(
    {
      method: 'post',
      path: '/',
      role: 'read',
      summary:
        'Check codes against an order and customer without redeeming; an unusable code is listed in inapplicable_redeemables, not an HTTP error',
      body: stackableBody,
      response: z.object({ valid: z.boolean() }).catchall(z.unknown()),
    },
    async ({ body }) => redemptions.validate(body),
  );
}
