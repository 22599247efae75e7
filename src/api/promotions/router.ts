import { z } from 'zod';
import type { PromotionService } from '../../promotions/promotion-service';
import type { RedemptionService } from '../../redemptions/redemption-service';
import { ApiRouter } from '../../http/api-router';
import { tierInput, tierUpdateInput } from '../../promotions/promotion-input';
import { pagingQuery } from '../list-query';
import { singleRedeemBody } from '../validations/router';

const tierParams = z.strictObject({ id: z.string().min(1).max(200).describe('Promotion tier id (promo_…)') });
const campaignParams = z.strictObject({
  campaignId: z.string().min(1).max(200).describe('PROMOTION campaign id (camp_…) or name'),
});
const tierJson = z
  .object({ id: z.string(), object: z.literal('promotion_tier'), name: z.string(), hierarchy: z.number() })
  .catchall(z.unknown());
const tierList = z.object({
  object: z.literal('list'),
  data_ref: z.literal('tiers'),
  tiers: z.array(tierJson),
  total: z.number(),
  has_more: z.boolean(),
});

/**
 * Promotion tiers, at the paths `@voucherify/sdk`'s `promotions` and `promotions.tiers` call.
 * The `/tiers…` routes come before `/:campaignId/tiers` so a tier path never reads as a campaign id.
 */
export function promotionsRouter({
  promotions,
  redemptions,
}: {
  promotions: PromotionService;
  redemptions: RedemptionService;
}): ApiRouter {
  return new ApiRouter('/v1/promotions', 'Promotions')
    .route(
      {
        method: 'get',
        path: '/tiers',
        summary:
          'List the tiers of every promotion; is_available=true keeps the ones enabled and within their dates now',
        query: z.strictObject({ ...pagingQuery, is_available: z.stringbool().optional() }),
        response: tierList,
      },
      async ({ query }) => ({
        object: 'list' as const,
        data_ref: 'tiers' as const,
        ...(await promotions.listAll({ available: query.is_available, limit: query.limit, page: query.page })),
      }),
    )
    .route(
      {
        method: 'get',
        path: '/tiers/:id',
        summary: 'Get a promotion tier',
        params: tierParams,
        response: tierJson,
        errors: { 404: 'No such tier' },
      },
      async ({ params }) => promotions.tierJson(await promotions.getTier(params.id)),
    )
    .route(
      {
        method: 'put',
        path: '/tiers/:id',
        summary:
          "Update a tier: the fields given (null clears banner or a date); validation_rules replaces the tier's rule",
        params: tierParams,
        body: tierUpdateInput,
        response: tierJson,
        errors: {
          404: 'No such tier',
          409: 'Another tier of the campaign has this hierarchy',
          400: 'Invalid request, or invalid_validation_rules for an unknown rule id',
        },
      },
      async ({ params, body }) => promotions.tierJson(await promotions.updateTier(params.id, body)),
    )
    .route(
      {
        method: 'delete',
        path: '/tiers/:id',
        summary: 'Delete a tier and its rule assignment (its redemptions stay)',
        params: tierParams,
        status: 204,
        errors: { 404: 'No such tier' },
      },
      async ({ params }) => {
        await promotions.deleteTier(params.id);
      },
    )
    .route(
      {
        method: 'post',
        path: '/tiers/:id/enable',
        summary: 'Enable a tier',
        params: tierParams,
        response: tierJson,
        errors: { 404: 'No such tier' },
      },
      async ({ params }) => promotions.tierJson(await promotions.setTierActive(params.id, true)),
    )
    .route(
      {
        method: 'post',
        path: '/tiers/:id/disable',
        summary: 'Disable a tier: validating or redeeming it fails with promotion_inactive',
        params: tierParams,
        response: tierJson,
        errors: { 404: 'No such tier' },
      },
      async ({ params }) => promotions.tierJson(await promotions.setTierActive(params.id, false)),
    )
    .route(
      {
        method: 'post',
        path: '/tiers/:id/redemption',
        summary: 'Redeem one tier for an order (legacy endpoint; raises customer.redemption.succeeded)',
        params: tierParams,
        body: singleRedeemBody,
        response: z.object({ id: z.string(), object: z.literal('redemption') }).catchall(z.unknown()),
        errors: {
          404: 'No such tier',
          400: 'The tier cannot be used: promotion_inactive, promotion_expired, promotion_not_active, customer_rules_violated, order_rules_violated, …',
        },
      },
      async ({ params, body }) => redemptions.redeem(params.id, body, 'promotion_tier'),
    )
    .route(
      {
        method: 'post',
        path: '/validation',
        role: 'read',
        summary:
          'The tiers a customer and order qualify for now, each with its discount on the whole order (legacy promotions validation)',
        query: z.strictObject({
          audienceRulesOnly: z
            .stringbool()
            .optional()
            .describe('Only the customer rules decide; order and count rules are not asked'),
        }),
        body: singleRedeemBody,
        response: z
          .object({
            valid: z.boolean(),
            promotions: z.array(
              z.object({ id: z.string(), object: z.literal('promotion_tier') }).catchall(z.unknown()),
            ),
          })
          .catchall(z.unknown()),
      },
      async ({ query, body }) => promotions.validate(body, { audienceRulesOnly: query.audienceRulesOnly }),
    )
    .route(
      {
        method: 'get',
        path: '/:campaignId/tiers',
        summary: "List a promotion campaign's tiers in hierarchy order",
        params: campaignParams,
        response: tierList,
        errors: { 404: 'No such campaign', 400: 'Not a PROMOTION campaign' },
      },
      async ({ params }) => {
        const tiers = await promotions.listTiers(params.campaignId);
        return { object: 'list' as const, data_ref: 'tiers' as const, tiers, total: tiers.length, has_more: false };
      },
    )
    .route(
      {
        method: 'post',
        path: '/:campaignId/tiers',
        summary: 'Add a tier to a PROMOTION campaign (after its last tier unless hierarchy is given)',
        params: campaignParams,
        body: tierInput,
        response: tierJson,
        errors: {
          404: 'No such campaign',
          409: 'Another tier of the campaign has this hierarchy',
          400: 'Invalid request, not a PROMOTION campaign (invalid_campaign_params), or an unknown rule id (invalid_validation_rules)',
        },
      },
      async ({ params, body }) => promotions.tierJson(await promotions.createTier(params.campaignId, body)),
    );
}
