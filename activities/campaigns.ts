import { heartbeat } from '@temporalio/activity';
import { addVouchers } from '../src/campaigns/code-pool';
import type { Models } from '../src/models';
import type { CampaignActivities } from '../workflows/contracts/activities';

export function createCampaignActivities(models: Models): CampaignActivities {
  return {
    /**
     * Fills the pool up to vouchers_count (counting what an earlier attempt inserted), then marks
     * generation DONE or FAILED. Codes added meanwhile (POST /campaigns/:id/vouchers raises the
     * count while this runs) are generated too: DONE is set only for the count last read.
     */
    async generateCampaignVouchers(campaignId: string): Promise<{ generated: number }> {
      let total = 0;
      for (;;) {
        const campaign = await models.Campaign.findById(campaignId).lean();
        if (campaign?.vouchers_generation_status !== 'IN_PROGRESS') return { generated: total };
        const existing = await models.Voucher.countDocuments({ campaign_id: campaignId });
        const wanted = Math.max(0, campaign.vouchers_count - existing);
        const generated = await addVouchers(models, campaign, wanted, (n) => heartbeat(total + n));
        total += generated;
        const status = generated < wanted ? 'FAILED' : 'DONE';
        const { matchedCount } = await models.Campaign.updateOne(
          { _id: campaignId, vouchers_count: campaign.vouchers_count },
          { $set: { vouchers_generation_status: status, generated_count: existing + generated } },
        );
        if (matchedCount > 0 || status === 'FAILED') return { generated: total };
      }
    },
  };
}
