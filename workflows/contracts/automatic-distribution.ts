import { defineSignal } from '@temporalio/workflow';

/**
 * The automatic distribution workflow's contract (workflows/automatic-distribution.ts). Its id is
 * `distributionWorkflowId` like a manual one's; it also takes `cancelSignal`, `resumeSignal` and
 * answers `progressQuery` (contracts/distribution.ts).
 */

export const AUTOMATIC_DISTRIBUTION_WORKFLOW = 'automaticDistributionWorkflow';
export type AutomaticDistributionWorkflow = (input: AutomaticDistributionInput) => Promise<void>;

export const pauseSignal = defineSignal('pause');
/** The engine stopped it (its STATIC pool ran out, `campaign_id`'s): record it, and wait for a resume. */
export const stoppedSignal = defineSignal<[{ reason: string; campaign_id?: string }]>('stopped');

export interface AutomaticDistributionInput {
  distributionId: string;
}
