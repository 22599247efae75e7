import { heartbeat } from '@temporalio/activity';
import { addVouchers } from '../src/campaigns/code-pool';
import type { Models } from '../src/models';

export function createCampaignActivities(models: Models) {
  return {
    /** Fills the pool up to vouchers_count (counting what an earlier attempt inserted), then marks generation DONE or FAILED. */
    async generateCampaignVouchers(campaignId: string): Promise<{ generated: number }> {
      const campaign = await models.Campaign.findById(campaignId).lean();
      if (!campaign || campaign.vouchers_generation_status !== 'IN_PROGRESS') return { generated: 0 };
      const existing = await models.Voucher.countDocuments({ campaign_id: campaignId });
      const wanted = Math.max(0, campaign.vouchers_count - existing);
      const generated = await addVouchers(models, campaign, wanted, (n) => heartbeat(n));
      const status = generated < wanted ? 'FAILED' : 'DONE';
      await models.Campaign.updateOne({ _id: campaignId }, { $set: { vouchers_generation_status: status, generated_count: existing + generated } });
      return { generated };
    },
  };
}
