import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from './contracts/activities';

const { generateCampaignVouchers } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Generates a new campaign's codes; the activity resumes from what is already in the pool on a retry. */
export async function campaignGenerationWorkflow(campaignId: string): Promise<void> {
  await generateCampaignVouchers(campaignId);
}
