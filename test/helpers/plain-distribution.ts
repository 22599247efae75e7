import type { AppContext } from '../../src/context';
import { newId } from '../../src/ids';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { distributionWorkflow } from '../../workflows/distribution';

/**
 * A manual, plain distribution of one webhook message per customer of a segment, written
 * as the API would and with no grace period, its workflow started on `taskQueue` — a test
 * can hand it to a worker of its own, where the API would use the service's queue.
 */
export async function startPlainDistribution(
  ctx: Pick<AppContext, 'models' | 'temporal'>,
  run: { name: string; segmentId: string; url: string; text: string; taskQueue: string },
): Promise<string> {
  const id = newId('distr');
  await ctx.models.Distribution.create({
    _id: id,
    name: run.name,
    trigger: { type: 'manual' },
    purpose: { type: 'plain' },
    audience: { type: 'segment', segment_id: run.segmentId },
    consents: { verification: false, required: [] },
    channels: [{ type: 'webhook', settings: { url: run.url }, template: { text: run.text } }],
    status: 'waiting_for_audience',
    grace_period_seconds: 0,
    metadata: {},
    version: 1,
  });
  await ctx.temporal.workflow.start(distributionWorkflow, {
    workflowId: distributionWorkflowId(id),
    taskQueue: run.taskQueue,
    args: [{ distributionId: id }],
  });
  return id;
}
