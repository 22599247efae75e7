import { notifyOperator } from '../channels/operator-mail';
import type { AppContext } from '../context';
import { FINAL_DISTRIBUTION_STATUSES } from '../models/distribution';


/**
 * Stops a distribution whose STATIC campaign ran out of codes and tells the operator. The
 * status change is conditional, so however often this runs (activity retries, a replayed
 * workflow), the operator gets one email.
 */
export async function stopForExhaustedPool(ctx: AppContext, distributionId: string, campaignId: string): Promise<{ stopped: boolean }> {
  const { matchedCount } = await ctx.models.Distribution.updateOne(
    { _id: distributionId, status: { $nin: [...FINAL_DISTRIBUTION_STATUSES] } },
    { $set: { status: 'stopped', status_reason: 'pool_exhausted', completed_at: new Date() } },
  );
  if (matchedCount === 0) return { stopped: false };
  const [distribution, campaign] = await Promise.all([
    ctx.models.Distribution.findById(distributionId, { name: 1 }).lean(),
    ctx.models.Campaign.findById(campaignId, { name: 1 }).lean(),
  ]);
  const distName = distribution?.name ?? distributionId;
  const campaignName = campaign?.name ?? campaignId;
  ctx.logger.warn({ distributionId, campaignId }, 'distribution stopped: campaign code pool exhausted');
  await notifyOperator(ctx.settings, ctx.logger, {
    subject: `Distribution "${distName}" stopped: campaign "${campaignName}" has no codes left`,
    text:
      `The distribution "${distName}" (${distributionId}) was stopped because the STATIC campaign ` +
      `"${campaignName}" (${campaignId}) has no unpublished codes left. Customers reached so far kept their messages; ` +
      `the others got nothing. Add codes to the campaign or switch it to AUTO_UPDATE, then create a new distribution for the rest.`,
  });
  return { stopped: true };
}
