import { z } from 'zod';
import { metadataInput } from '../../customers/customer-input';
import type { AppContext } from '../../context';
import { ApiRouter } from '../../http/api-router';
import { singleRedeemBody, stackableBody } from '../validations/router';

const redemptionJson = z.object({ id: z.string(), object: z.literal('redemption') }).catchall(z.unknown());
const idParams = z.strictObject({ id: z.string().min(1) });

export function redemptionsRouter({ redemptions }: AppContext): ApiRouter {
  return new ApiRouter('/v1/redemptions', 'Redemptions')
    .route(
      {
        method: 'post',
        path: '/',
        summary:
          'Redeem codes (all or nothing): each use is claimed atomically, so a code is never redeemed past its quantity',
        body: stackableBody,
        response: z.object({ redemptions: z.array(redemptionJson) }).catchall(z.unknown()),
        errors: {
          400: 'A code cannot be used: the key says why (quantity_exceeded, voucher_expired, customer_rules_violated, …); the refusal is recorded as a FAILED redemption (customer.redemption.failed, summary.redemptions.total_failed)',
          404: 'No such voucher',
        },
      },
      async ({ body }) => redemptions.redeemStackable(body),
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a redemption',
        params: idParams,
        response: redemptionJson,
        errors: { 404: 'No such redemption' },
      },
      async ({ params }) => redemptions.get(params.id),
    )
    .route(
      {
        method: 'post',
        path: '/:id/rollback',
        summary:
          'Roll a redemption back once, giving the use back (reason and tracking_id as query parameters, as the SDK sends them, or in the body)',
        params: idParams,
        query: z.strictObject({ reason: z.string().max(1000).optional(), tracking_id: z.string().max(200).optional() }),
        body: z
          .object({
            customer: z.unknown().optional(),
            reason: z.string().max(1000).optional(),
            tracking_id: z.string().max(200).optional(),
            order: z.unknown().optional(),
            metadata: metadataInput.optional(),
          })
          .catchall(z.unknown()),
        response: z.object({ id: z.string(), object: z.literal('redemption_rollback') }).catchall(z.unknown()),
        errors: { 404: 'No such redemption', 400: 'already_rolled_back' },
      },
      async ({ params, query, body }) =>
        redemptions.rollback(params.id, {
          reason: query.reason ?? body.reason,
          tracking_id: query.tracking_id ?? body.tracking_id,
        }),
    );
}

/** The legacy single-code redemption the SDK's `redemptions.redeem(code, body)` calls. */
export function voucherRedemptionRouter({ redemptions }: AppContext): ApiRouter {
  return new ApiRouter('/v1/vouchers', 'Redemptions').route(
    {
      method: 'post',
      path: '/:code/redemption',
      summary: 'Redeem one code (legacy endpoint)',
      params: z.strictObject({ code: z.string().min(1) }),
      body: singleRedeemBody,
      response: redemptionJson,
      errors: { 400: 'The code cannot be used', 404: 'No such voucher' },
    },
    async ({ params, body }) => redemptions.redeem(params.code, body),
  );
}
