import { CancellationScope, condition, continueAsNew, isCancellation, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './contracts/activities';
import type { DistributionStatus } from './contracts/statuses';
import { CampaignIdKey, DistributionIdKey, DistributionStatusKey, TriggerKey } from './contracts/search-attributes';
import { pauseSignal, stoppedSignal, type AutomaticDistributionInput } from './contracts/automatic-distribution';
import { cancelSignal, progressQuery, resumeSignal } from './contracts/distribution';

/**
 * An automatic distribution's workflow, `distribution-<id>` like a manual one's: it owns the
 * lifecycle — active ⇄ paused, cancelled, stopped — through signals, records each change and
 * shows it in its search attributes, so an operator finds, pauses or stops it in the Temporal
 * UI. Events are routed by the stored status (src/distributions/event-routing.ts), not
 * through this workflow, so routing is as fast as before and keeps its guarantees.
 */

const quick = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Changes one run handles before continuing as new, so a history stays bounded. */
const CHANGES_PER_RUN = 500;
const FINAL: readonly DistributionStatus[] = ['completed', 'failed', 'cancelled', 'stopped'];

interface Change {
  to: DistributionStatus;
  reason?: string;
}

export async function automaticDistributionWorkflow(input: AutomaticDistributionInput): Promise<void> {
  const id = input.distributionId;
  let status: DistributionStatus = 'active';
  let statusReason: string | undefined;
  const changes: Change[] = [];
  setHandler(pauseSignal, () => void changes.push({ to: 'paused' }));
  setHandler(resumeSignal, () => void changes.push({ to: 'active' }));
  setHandler(cancelSignal, ({ reason } = {}) => void changes.push({ to: 'cancelled', reason: reason ?? 'cancelled' }));
  setHandler(stoppedSignal, ({ reason }) => void changes.push({ to: 'stopped', reason }));
  setHandler(progressQuery, () => ({ status, batches_done: 0, ...(statusReason ? { status_reason: statusReason } : {}) }));

  const record = async (change: Change): Promise<void> => {
    const final = FINAL.includes(change.to);
    await quick.markDistribution(id, { status: change.to, bump_version: true, ...(change.reason ? { status_reason: change.reason } : {}), ...(final ? { completed_at: new Date(Date.now()).toISOString() } : {}) });
    status = change.to;
    statusReason = change.reason;
    upsertSearchAttributes([{ key: DistributionStatusKey, value: change.to }]);
  };

  try {
    const info = await quick.loadDistributionForRun(id);
    if (FINAL.includes(info.status)) return;
    status = info.status;
    upsertSearchAttributes([
      { key: DistributionIdKey, value: id },
      { key: TriggerKey, value: info.trigger },
      { key: DistributionStatusKey, value: status },
      ...(info.campaignId ? [{ key: CampaignIdKey, value: info.campaignId }] : []),
    ]);
    for (let handled = 0; ; handled++) {
      if (handled >= CHANGES_PER_RUN || workflowInfo().continueAsNewSuggested) {
        // Signals not handled yet are lost with this run: only continue while none is waiting.
        if (changes.length === 0) await continueAsNew<typeof automaticDistributionWorkflow>(input);
      }
      await condition(() => changes.length > 0);
      const change = changes.shift()!;
      // Pausing a paused one (or resuming an active one) changes nothing.
      if (change.to === status && !FINAL.includes(change.to)) continue;
      await record(change);
      if (FINAL.includes(change.to)) return;
    }
  } catch (err) {
    // A cancellation request from Temporal (UI, CLI) ends the distribution, recorded as such.
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => record({ to: 'cancelled', reason: 'cancelled_in_temporal' }));
    throw err;
  }
}
