import { z } from 'zod';
import { metadataInput } from '../../customers/customer-input';
import type { RedemptionService } from '../../redemptions/redemption-service';
import { ApiRouter } from '../../http/api-router';
import { singleRedeemBody, stackableBody } from '../validations/router';

/** What a referral redemption credited its referrer (this engine's field; Voucherify credits in its referral tiers). */
const referrerReward = z
  .object({
    reward: z.object({ id: z.string(), type: z.enum(['CAMPAIGN', 'MATERIAL']), object: z.literal('reward') }),
    status: z
      .enum(['CREDITED', 'NOT_CREDITED', 'WITHDRAWN', 'NOT_WITHDRAWN'])
      .describe('WITHDRAWN once the redemption was rolled back; NOT_WITHDRAWN (with reason) when the credit was spent'),
    date: z.string(),
    voucher: z
      .object({ id: z.string(), code: z.string().nullable(), object: z.literal('voucher') })
      .optional()
      .describe("the referrer's gift or loyalty card credited, or the discount code published to them"),
    amount: z.number().optional().describe('credits (cents) or points added to the card'),
    reason: z.string().optional(),
  })
  .describe("the referrer's reward for a referral redemption");
const redemptionJson = z
  .object({
    id: z.string(),
    object: z.literal('redemption'),
    referrer_id: z.string().optional().describe('the referral code holder, for a referral redemption'),
    referrer_reward: referrerReward.optional(),
  })
  .catchall(z.unknown());
const idParams = z.strictObject({ id: z.string().min(1) });

export function redemptionsRouter({ redemptions }: { redemptions: RedemptionService }): ApiRouter {
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
          "Roll a redemption back once, giving the use back and withdrawing a referral redemption's referrer reward (reason and tracking_id as query parameters, as the SDK sends them, or in the body)",
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
        response: z
          .object({
            id: z.string(),
            object: z.literal('redemption_rollback'),
            referrer_reward: referrerReward.optional(),
          })
          .catchall(z.unknown()),
        errors: {
          404: 'No such redemption',
          400: 'already_rolled_back or invalid_rollback_params; the refusal is recorded on the redemption (customer.redemption.rollback.failed, summary.redemptions.total_rollback_failed)',
        },
      },
      async ({ params, query, body }) =>
        redemptions.rollback(params.id, {
          reason: query.reason ?? body.reason,
          tracking_id: query.tracking_id ?? body.tracking_id,
        }),
    );
}

/** The legacy single-code redemption the SDK's `redemptions.redeem(code, body)` calls. */
export function voucherRedemptionRouter({ redemptions }: { redemptions: RedemptionService }): ApiRouter {
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
