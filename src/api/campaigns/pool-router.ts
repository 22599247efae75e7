import { countFreeCodes } from '../../campaigns/code-pool';
import { z } from 'zod';
import type { CampaignService } from '../../campaigns/campaign-service';
import type { Infrastructure } from '../../infrastructure';
import { ApiRouter } from '../../http/api-router';

const idParams = z.strictObject({ id: z.string().min(1).max(200) });

/** `GET /v1/campaigns/:id/pool`: how much of a campaign's code pool is used, for the console's campaign list. */
export function campaignPoolRouter({
  campaigns,
  models,
}: Pick<Infrastructure, 'models'> & { campaigns: CampaignService }): ApiRouter {
  return new ApiRouter('/v1/campaigns', 'Campaigns').route(
    {
      method: 'get',
      path: '/:id/pool',
      summary: "A campaign's code pool: codes generated, published to a customer, and still free",
      params: idParams,
      response: z.object({
        campaign_id: z.string(),
        total: z.number(),
        published: z.number(),
        free: z.number(),
        type: z.string().describe('AUTO_UPDATE generates more when the pool runs out; STATIC stops'),
      }),
      errors: { 404: 'No such campaign' },
    },
    async ({ params }) => {
      const campaign = await campaigns.get(params.id);
      // Both counts use the (campaign_id, holder_id) index.
      const [total, free] = await Promise.all([
        models.Voucher.countDocuments({ campaign_id: campaign._id }),
        countFreeCodes(models.Voucher, campaign._id),
      ]);
      return { campaign_id: campaign._id, total, published: total - free, free, type: campaign.type };
    },
  );
}
