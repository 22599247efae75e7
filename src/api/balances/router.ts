import { z } from 'zod';
import type { BalanceService } from '../../balances/balance-service';
import { ApiRouter } from '../../http/api-router';

const codeParams = z.strictObject({ code: z.string().min(1).max(200).describe('Voucher code or id (v_…)') });
const balanceBody = z.strictObject({
  amount: z
    .number()
    .int()
    .refine((n) => n !== 0, 'amount must not be 0')
    .describe('Gift card: cents; loyalty card: points. Negative removes.'),
  source_id: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Idempotency key: an operation with this source_id is applied to the voucher at most once'),
  reason: z.string().max(1000).optional(),
});
const balanceJson = z.object({
  amount: z.number(),
  total: z.number(),
  balance: z.number(),
  type: z.enum(['gift_voucher', 'loyalty_card']),
  operation_type: z.literal('MANUAL'),
  object: z.literal('balance'),
  related_object: z.object({ type: z.literal('voucher'), id: z.string() }),
});

/** `POST /v1/vouchers/:code/balance`: shares `/v1/vouchers` with the vouchers router. */
export function balancesRouter({ balances }: { balances: BalanceService }): ApiRouter {
  return new ApiRouter('/v1/vouchers', 'Vouchers').route(
    {
      method: 'post',
      path: '/:code/balance',
      summary:
        "Add to (or, with a negative amount, remove from) a gift card's credits or a loyalty card's points; idempotent by source_id",
      params: codeParams,
      body: balanceBody,
      response: balanceJson,
      errors: {
        404: 'No such voucher',
        400: 'Invalid request; gift_amount_exceeded / loyalty_card_points_exceeded when removing more than the balance; invalid_voucher_type for a discount voucher',
      },
    },
    async ({ params, body }) => balances.add(params.code, body),
  );
}
