import { z } from 'zod';
import { campaignInput, campaignUpdateInput } from '../../campaigns/campaign-input';
import { toCampaignJson, toVoucherJson } from '../../campaigns/voucher-json';
import type { CampaignService } from '../../campaigns/campaign-service';
import type { Infrastructure } from '../../infrastructure';
import type { PromotionService } from '../../promotions/promotion-service';
import { ApiRouter } from '../../http/api-router';
import { AppError } from '../../http/errors';
import type { CampaignDoc } from '../../models/campaign';
import { promotionCampaignInput } from '../../promotions/promotion-input';
import { pagingQuery } from '../list-query';
import { findPage } from '../../db/find-page';

const idParams = z.strictObject({ id: z.string().min(1).max(200).describe('Campaign id (camp_…) or name') });
const campaignJson = z
  .object({ id: z.string(), name: z.string(), object: z.literal('campaign') })
  .catchall(z.unknown());
/** A unique-code campaign (campaign_type optional, as the SDK sends it) or a PROMOTION with its tiers. */
const addVouchersBody = z
  .object({ vouchers_count: z.number().int().min(1).max(1_000_000).optional() })
  .catchall(z.unknown())
  .optional();
const createBody = z.discriminatedUnion('campaign_type', [campaignInput, promotionCampaignInput]);

/**
 * Unique-code campaigns, whose creation answers at once and generates the codes in a workflow
 * (vouchers_generation_status), and PROMOTION campaigns, made with their tiers at once.
 */
export function campaignsRouter({
  campaigns,
  promotions,
  models,
}: Pick<Infrastructure, 'models'> & { campaigns: CampaignService; promotions: PromotionService }): ApiRouter {
  const json = async (c: CampaignDoc) =>
    toCampaignJson(c, c.campaign_type === 'PROMOTION' ? await promotions.promotionOf(c) : undefined);
  return new ApiRouter('/v1/campaigns', 'Campaigns')
    .route(
      {
        method: 'post',
        path: '/',
        summary:
          'Create a unique-code campaign (its codes are generated asynchronously) or a PROMOTION campaign with its tiers',
        body: createBody,
        response: campaignJson,
        errors: { 409: 'A campaign with this name exists' },
      },
      async ({ body }) =>
        json(body.campaign_type === 'PROMOTION' ? await promotions.createCampaign(body) : await campaigns.create(body)),
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a campaign by id or name',
        params: idParams,
        response: campaignJson,
        errors: { 404: 'No such campaign' },
      },
      async ({ params }) => json(await campaigns.get(params.id)),
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List campaigns',
        query: z.strictObject(pagingQuery),
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('campaigns'),
          campaigns: z.array(campaignJson),
          total: z.number(),
        }),
      },
      async ({ query }) => {
        const { docs, total } = await findPage(
          models.Campaign,
          {},
          { sort: { created_at: -1, _id: -1 }, page: query.page, limit: query.limit },
        );
        return {
          object: 'list' as const,
          data_ref: 'campaigns' as const,
          campaigns: await Promise.all(docs.map(json)),
          total,
        };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id/vouchers',
        summary: "List a campaign's codes",
        params: idParams,
        query: z.strictObject(pagingQuery),
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('vouchers'),
          vouchers: z.array(z.record(z.string(), z.unknown())),
          total: z.number(),
        }),
        errors: { 404: 'No such campaign' },
      },
      async ({ params, query }) => {
        const campaign = await campaigns.get(params.id);
        const filter = { campaign_id: campaign._id };
        const { docs, total } = await findPage(models.Voucher, filter, {
          sort: { _id: 1 },
          page: query.page,
          limit: query.limit,
        });
        return {
          object: 'list' as const,
          data_ref: 'vouchers' as const,
          vouchers: docs.map((v) => toVoucherJson(v, campaign)),
          total,
        };
      },
    )
    .route(
      {
        method: 'put',
        path: '/:id',
        summary: 'Update a campaign (description, type, dates, join_once, metadata); new dates reach unpublished codes',
        params: idParams,
        body: campaignUpdateInput,
        response: campaignJson,
        errors: { 404: 'No such campaign' },
      },
      async ({ params, body }) => json(await campaigns.update(params.id, body)),
    )
    .route(
      {
        method: 'post',
        path: '/:id/vouchers',
        summary:
          'Add codes to a campaign (`vouchers_count` in the query, as the Voucherify SDK sends it, or the body): generated asynchronously, see vouchers_generation_status',
        params: idParams,
        query: z.strictObject({ vouchers_count: z.coerce.number().int().min(1).max(1_000_000).optional() }),
        body: addVouchersBody,
        response: campaignJson,
        errors: { 404: 'No such campaign' },
      },
      async ({ params, query, body }) => {
        const count = query.vouchers_count ?? body?.vouchers_count;
        if (count === undefined)
          throw AppError.badRequest(
            'missing_vouchers_count',
            'vouchers_count is required',
            'give vouchers_count (1 to 1,000,000) in the query or the body',
            { errors: [{ field: 'vouchers_count', reason: 'required' }] },
          );
        return json(await campaigns.addVouchers(params.id, count));
      },
    )
    .route(
      {
        method: 'post',
        path: '/:id/vouchers/:code',
        summary: 'Add one code of your choosing to a campaign',
        params: z.strictObject({
          id: idParams.shape.id,
          code: z
            .string()
            .trim()
            .min(1)
            .max(100)
            .regex(/^[^\s/]+$/, 'a code has no spaces or slashes'),
        }),
        response: z.object({ code: z.string(), object: z.literal('voucher') }).catchall(z.unknown()),
        errors: { 404: 'No such campaign', 409: 'A voucher with this code exists' },
      },
      async ({ params }) => {
        const { voucher, campaign } = await campaigns.addVoucherCode(params.id, params.code);
        return toVoucherJson(voucher, campaign);
      },
    )
    .route(
      {
        method: 'post',
        path: '/:id/enable',
        summary: 'Enable a campaign',
        params: idParams,
        response: campaignJson,
        errors: { 404: 'No such campaign' },
      },
      async ({ params }) => json(await campaigns.setActive(params.id, true)),
    )
    .route(
      {
        method: 'post',
        path: '/:id/disable',
        summary:
          'Disable a campaign: publishing from it fails with campaign_inactive, its promotion tiers with promotion_inactive',
        params: idParams,
        response: campaignJson,
        errors: { 404: 'No such campaign' },
      },
      async ({ params }) => json(await campaigns.setActive(params.id, false)),
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        summary:
          'Delete a campaign and its unpublished codes or promotion tiers at once (published codes stay with their holders)',
        params: idParams,
        query: z.strictObject({
          force: z.stringbool().optional().describe('Accepted for SDK compatibility; deletion is always permanent'),
        }),
        status: 204,
        errors: { 404: 'No such campaign' },
      },
      async ({ params }) => {
        await campaigns.delete(params.id);
      },
    );
}
