/** The campaign code generation workflow's contract (workflows/campaign-generation.ts). */

export const CAMPAIGN_GENERATION_WORKFLOW = 'campaignGenerationWorkflow';
export type CampaignGenerationWorkflow = (campaignId: string) => Promise<void>;

export function campaignGenerationWorkflowId(campaignId: string): string {
  return `campaign-generation-${campaignId}`;
}
