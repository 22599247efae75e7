import {
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from './contracts/activities';
import { FINAL_DISTRIBUTION_STATUSES, type DistributionStatus } from './contracts/statuses';
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

/** The operator notice: an SMTP outage is waited out for about a day, then given up. */
const notice = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: 30 },
});

/** Marks the runs that record a pool_exhausted stop once, retry its notice and take a resume. */
const POOL_RESUME = 'automatic-pool-resume';
/** How long a distribution stopped for pool_exhausted can be resumed. */
const RESUME_WINDOW = '30 days';

/** Changes one run handles before continuing as new, so a history stays bounded. */
const CHANGES_PER_RUN = 500;

interface Change {
  to: DistributionStatus;
  reason?: string;
  campaignId?: string;
}

export async function automaticDistributionWorkflow(input: AutomaticDistributionInput): Promise<void> {
  const id = input.distributionId;
  let status: DistributionStatus = 'active';
  let statusReason: string | undefined;
  const changes: Change[] = [];
  setHandler(pauseSignal, () => void changes.push({ to: 'paused' }));
  setHandler(resumeSignal, () => void changes.push({ to: 'active' }));
  setHandler(cancelSignal, ({ reason } = {}) => void changes.push({ to: 'cancelled', reason: reason ?? 'cancelled' }));
  setHandler(
    stoppedSignal,
    ({ reason, campaign_id }) =>
      void changes.push({ to: 'stopped', reason, ...(campaign_id ? { campaignId: campaign_id } : {}) }),
  );
  setHandler(progressQuery, () => ({
    status,
    batches_done: 0,
    ...(statusReason ? { status_reason: statusReason } : {}),
  }));

  const record = async (change: Change): Promise<void> => {
    const final = FINAL_DISTRIBUTION_STATUSES.includes(change.to);
    await quick.markDistribution(id, {
      status: change.to,
      bump_version: true,
      ...(change.reason ? { status_reason: change.reason } : {}),
      ...(final ? { completed_at: new Date(Date.now()).toISOString() } : {}),
    });
    status = change.to;
    statusReason = change.reason;
    upsertSearchAttributes([{ key: DistributionStatusKey, value: change.to }]);
  };

  /**
   * Stopped for pool_exhausted: the operator is told (retried, not holding up a resume) and,
   * once codes are added, a resume makes it active again. Other changes meanwhile are dropped:
   * a stopped distribution is not paused, and another event's stop says what this one said.
   */
  const waitForResume = async (campaignId: string): Promise<boolean> => {
    const notified = notice
      .sendPoolExhaustedNotice(id, campaignId)
      .catch((err: unknown) => log.error('operator notice not sent', { error: String(err) }));
    const resumed = await condition(() => changes.some((c) => c.to === 'active'), RESUME_WINDOW);
    changes.length = 0;
    if (resumed && (await quick.reopenPoolExhausted(id)).reopened) {
      status = 'active';
      statusReason = undefined;
      upsertSearchAttributes([{ key: DistributionStatusKey, value: 'active' }]);
      return true;
    }
    await notified;
    return false;
  };

  try {
    const info = await quick.loadDistributionForRun(id);
    if (FINAL_DISTRIBUTION_STATUSES.includes(info.status)) return;
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
      if (change.to === status && !FINAL_DISTRIBUTION_STATUSES.includes(change.to)) continue;
      await record(change);
      if (change.to === 'stopped' && change.reason === 'pool_exhausted' && change.campaignId && patched(POOL_RESUME)) {
        if (await waitForResume(change.campaignId)) continue;
        return;
      }
      if (FINAL_DISTRIBUTION_STATUSES.includes(change.to)) return;
    }
  } catch (err) {
    // A cancellation request from Temporal (UI, CLI) ends the distribution, recorded as such.
    if (isCancellation(err))
      await CancellationScope.nonCancellable(() => record({ to: 'cancelled', reason: 'cancelled_in_temporal' }));
    throw err;
  }
}
