import { z } from 'zod';
import { metadataInput } from '../../customers/customer-input';
import { ApiRouter } from '../../http/api-router';
import { toRewardJson, type RewardService } from '../../rewards/reward-service';
import { pagingQuery } from '../list-query';

const idParams = z.strictObject({ id: z.string().min(1).max(200) });
const metadata = metadataInput;
const rewardBody = z.strictObject({
  name: z.string().min(1).max(200),
  type: z.enum(['CAMPAIGN', 'MATERIAL']),
  parameters: z
    .object({
      campaign: z.object({ id: z.string().min(1), balance: z.number().int().optional() }).optional(),
      product: z.object({ id: z.string().min(1) }).optional(),
      loyalty: z
        .object({ points: z.number().int().positive().optional() })
        .optional()
        .describe('Default price in points'),
    })
    .catchall(z.unknown())
    .default({}),
  stock: z.number().int().min(0).nullable().optional().describe('Units available; unset = unlimited'),
  attributes: metadata.optional(),
  metadata: metadata.optional(),
});
const rewardJson = z
  .object({ id: z.string(), name: z.string(), type: z.string(), object: z.literal('reward') })
  .catchall(z.unknown());

export function rewardsRouter({ rewards }: { rewards: RewardService }): ApiRouter {
  return new ApiRouter('/v1/rewards', 'Rewards')
    .route(
      {
        method: 'post',
        path: '/',
        summary: 'Create a reward',
        body: rewardBody,
        response: rewardJson,
        errors: { 404: 'No such campaign' },
      },
      async ({ body }) => toRewardJson(await rewards.create(body)),
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List rewards',
        query: z.strictObject(pagingQuery),
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('data'),
          data: z.array(rewardJson),
          total: z.number(),
        }),
      },
      async ({ query }) => {
        const { rewards: found, total } = await rewards.list(query.limit, query.page);
        return { object: 'list' as const, data_ref: 'data' as const, data: found.map(toRewardJson), total };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a reward',
        params: idParams,
        response: rewardJson,
        errors: { 404: 'No such reward' },
      },
      async ({ params }) => toRewardJson(await rewards.get(params.id)),
    );
}

const redeemBody = z.strictObject({
  reward: z.strictObject({
    id: z.string().min(1).max(200),
    points: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Price in points; defaults to the reward's parameters.loyalty.points"),
  }),
  metadata: metadata.optional(),
});
const redemptionJson = z
  .object({ id: z.string(), object: z.literal('redemption'), result: z.literal('SUCCESS') })
  .catchall(z.unknown());
const redeemErrors = {
  404: 'No such loyalty card or reward',
  400: 'loyalty_card_points_exceeded when the card has too few points; reward_out_of_stock',
};

/** Buying rewards with loyalty points: `/v1/loyalties/members/:code/redemption`, with or without the campaign in the path (the SDK's redeemReward sends it). */
export function loyaltyRewardsRouter({ rewards }: { rewards: RewardService }): ApiRouter {
  return new ApiRouter('/v1/loyalties', 'Loyalties')
    .route(
      {
        method: 'post',
        path: '/members/:code/redemption',
        summary: "Redeem a reward with a loyalty card's points",
        params: z.strictObject({ code: z.string().min(1).max(200) }),
        body: redeemBody,
        response: redemptionJson,
        errors: redeemErrors,
      },
      async ({ params, body }) =>
        rewards.redeem(params.code, { rewardId: body.reward.id, points: body.reward.points, metadata: body.metadata }),
    )
    .route(
      {
        method: 'post',
        path: '/:campaign/members/:code/redemption',
        summary: "Redeem a reward with a loyalty card's points (card must belong to the campaign)",
        params: z.strictObject({ campaign: z.string().min(1).max(200), code: z.string().min(1).max(200) }),
        body: redeemBody,
        response: redemptionJson,
        errors: redeemErrors,
      },
      async ({ params, body }) =>
        rewards.redeem(params.code, {
          rewardId: body.reward.id,
          points: body.reward.points,
          campaign: params.campaign,
          metadata: body.metadata,
        }),
    );
}
