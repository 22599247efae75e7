import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  AUDIENCE_STATE,
  FAILED_STATUS,
  POOL_RECORDS,
  RECORD_TEMPORAL_CANCEL,
  SNAPSHOT_WHILE_SENDING,
} from './distribution-patches';
import {
  BATCHES_IN_FLIGHT,
  BATCHES_PER_RUN,
  delivery,
  edits,
  errorText,
  notice,
  quick,
  RESUME_WINDOW,
} from './distribution-activities';
import { CampaignIdKey, DistributionIdKey, DistributionStatusKey, TriggerKey } from './contracts/search-attributes';
import type { DistributionStatus, MessageStatus } from './contracts/statuses';
import {
  cancelSignal,
  editUpdate,
  progressQuery,
  resumeSignal,
  sendNowSignal,
  type CarriedState,
  type DistributionEdit,
  type DistributionWorkflowInput,
} from './contracts/distribution';

/**
 * A manual distribution's workflow: waits for its audience segment to be synced, sleeps the
 * grace period (cancel, edit, send now), then fans out over the audience snapshot in batches.
 * Its id, input, signals, update and query are in contracts/distribution.ts.
 */

/**
 * The business process of one manual distribution: wait for the audience, give the
 * operator the grace period to edit, cancel or send now, then snapshot the audience and
 * deliver it batch by batch. A pool that runs dry stops it and tells the operator.
 */
export async function distributionWorkflow(input: DistributionWorkflowInput): Promise<void> {
  const id = input.distributionId;
  const s: CarriedState = input.carried ?? {
    phase: 'waiting',
    cancelled: false,
    sendNow: false,
    snapshot: { batches: 0, recipients: 0, done: false },
    nextBatch: 0,
    counts: { queued: 0, sent: 0, skipped: 0, failed: 0, unknown: 0 },
  };
  let status: DistributionStatus =
    s.phase === 'sending' ? 'sending' : s.phase === 'scheduled' ? 'scheduled' : 'waiting_for_audience';
  let statusReason: string | undefined;
  let batchesDone = s.nextBatch;

  setHandler(cancelSignal, ({ reason } = {}) => {
    s.cancelled = true;
    if (reason) s.cancelReason = reason;
  });
  // Only a distribution stopped for pool_exhausted takes a resume; one sent at another time is dropped.
  let resumable = false;
  let resumeRequested = false;
  setHandler(resumeSignal, () => {
    if (resumable) resumeRequested = true;
  });
  setHandler(sendNowSignal, () => {
    s.sendNow = true;
  });
  setHandler(editUpdate, async (edit) => edits.applyDistributionEdit(id, edit), {
    validator: (_edit: DistributionEdit) => {
      if (s.phase === 'sending') throw new Error('distribution_already_sending');
      if (s.cancelled) throw new Error('distribution_cancelled');
    },
  });
  setHandler(progressQuery, () => ({
    status,
    ...(s.sendAt ? { send_at: s.sendAt } : {}),
    ...(s.snapshot.done || s.snapshot.recipients > 0 ? { recipients: s.snapshot.recipients } : {}),
    ...(s.snapshot.done ? { batches_total: s.snapshot.batches } : {}),
    batches_done: batchesDone,
    ...(statusReason ? { status_reason: statusReason } : {}),
  }));

  /** False when the stored distribution had already ended (e.g. cancelled while no workflow ran). */
  async function mark(
    next: DistributionStatus,
    fields: Omit<Parameters<typeof quick.markDistribution>[1], 'status'> = {},
  ): Promise<boolean> {
    status = next;
    if (fields.status_reason) statusReason = fields.status_reason;
    upsertSearchAttributes([{ key: DistributionStatusKey, value: next }]);
    return (await quick.markDistribution(id, { status: next, ...fields })).updated;
  }
  const continueWith = async (): Promise<never> => {
    // An update still running would be lost with this run.
    await condition(allHandlersFinished);
    return continueAsNew<typeof distributionWorkflow>({ ...input, carried: s });
  };
  const now = () => new Date(Date.now()).toISOString();
  const cancel = async (): Promise<void> => {
    await mark('cancelled', { status_reason: s.cancelReason ?? 'cancelled', completed_at: now() });
  };

  let audienceRechecked = false;
  /** Polls until the audience is ready (or gone, or the distribution cancelled), backing off to 30 s. */
  const audienceWait = async (): Promise<'ready' | 'deleted' | 'cancelled'> => {
    for (let pollMs = 2_000; ; pollMs = Math.min(pollMs * 2, 30_000)) {
      if (s.cancelled) return 'cancelled';
      const state = audienceRechecked
        ? await quick.audienceState(id)
        : (await quick.audienceReady(id))
          ? 'ready'
          : 'syncing';
      if (state !== 'syncing') return state;
      await condition(() => s.cancelled, pollMs);
    }
  };
  const audienceDeleted = async (): Promise<void> => {
    await mark('stopped', { status_reason: 'audience_deleted', completed_at: now() });
  };

  try {
    if (!input.carried) {
      // Runs recorded before it polled audienceReady once, before the grace period only.
      audienceRechecked = patched(AUDIENCE_STATE);
      const info = await quick.loadDistributionForRun(id);
      if (
        info.status === 'completed' ||
        info.status === 'failed' ||
        info.status === 'cancelled' ||
        info.status === 'stopped'
      )
        return;
      upsertSearchAttributes([
        { key: DistributionIdKey, value: id },
        { key: TriggerKey, value: info.trigger },
        ...(info.campaignId ? [{ key: CampaignIdKey, value: info.campaignId }] : []),
      ]);

      // 1. The audience segment must be synced before anyone is counted in or out.
      await mark('waiting_for_audience');
      if ((await audienceWait()) === 'deleted') return audienceDeleted();
      if (s.cancelled) return cancel();

      // 2. Grace period: the operator may still edit, cancel or send now.
      s.phase = 'scheduled';
      if (!s.sendNow) {
        const graceMs = info.gracePeriodSeconds * 1000;
        s.sendAt = new Date(Date.now() + graceMs).toISOString();
        await mark('scheduled', { send_at: s.sendAt });
        if (graceMs > 0) await condition(() => s.cancelled || s.sendNow, graceMs);
      }
      // An edit accepted during the grace period is stored before the audience is snapshotted.
      await condition(allHandlersFinished);
      if (s.cancelled) return cancel();
      if (audienceRechecked) {
        // The segment may have been edited (its sync restarted) or deleted during the grace period.
        if ((await audienceWait()) === 'deleted') return audienceDeleted();
        await condition(allHandlersFinished);
        if (s.cancelled) return cancel();
      }
      s.phase = 'sending';
      if (!(await mark('sending', { started_at: now() }))) return;
    }

    // 3. Snapshot the audience and deliver it batch by batch, each batch once it is written.
    const streaming = patched(SNAPSHOT_WHILE_SENDING);
    while (!streaming && !s.snapshot.done && !s.cancelled) {
      const page = await quick.snapshotAudience(id, s.snapshot.cursor, s.snapshot.batches);
      if (page.count > 0) {
        s.snapshot.batches += 1;
        s.snapshot.recipients += page.count;
      }
      if (page.nextCursor) s.snapshot.cursor = page.nextCursor;
      else {
        s.snapshot.done = true;
        await quick.markDistribution(id, { status: 'sending', recipients_count: s.snapshot.recipients });
      }
      if (workflowInfo().continueAsNewSuggested) await continueWith();
    }

    /** The next page of snapshot batches: one at a time, as each starts after the last one's cursor. */
    let snapshotting: Promise<void> | undefined;
    const snapshotPage = async (): Promise<void> => {
      const page = await quick.snapshotAudiencePages(id, s.snapshot.cursor, s.snapshot.batches);
      s.snapshot.batches += page.batches;
      s.snapshot.recipients += page.recipients;
      if (page.nextCursor) s.snapshot.cursor = page.nextCursor;
      else {
        s.snapshot.done = true;
        await quick.markDistribution(id, { status: 'sending', recipients_count: s.snapshot.recipients });
      }
    };
    /** Deliveries and the snapshot page in flight, so none is left unawaited. */
    const pending = () => [...inFlight, ...(snapshotting ? [snapshotting] : [])];

    let poolExhausted: { campaignId: string } | undefined;
    /** The first batch the pool ran out in: every batch before it was delivered in full. */
    let firstExhausted = Number.MAX_SAFE_INTEGER;
    const inFlight = new Set<Promise<void>>();
    const deliver = async (index: number): Promise<void> => {
      try {
        const result = await delivery.deliverBatch(id, index);
        // A run carried over from before `unknown` existed lacks that count.
        for (const k of Object.keys(result.counts) as MessageStatus[])
          s.counts[k] = (s.counts[k] ?? 0) + result.counts[k];
        // The API flagged a cancel its signal may not have delivered: no further batch starts.
        if (result.stopped) s.cancelled = true;
        if (result.poolExhausted) {
          poolExhausted = result.poolExhausted;
          firstExhausted = Math.min(firstExhausted, index);
        }
      } catch (err) {
        // Cancelled from Temporal: nothing failed, the run is being stopped.
        if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
        // The retry policy gave up: what could not be sent is failed, the rest of the audience still gets theirs.
        const { failed } = await quick.failQueuedMessages(id, index, errorText(err));
        s.counts.failed += failed;
      }
      batchesDone += 1;
    };
    let startedThisRun = 0;
    const notices: Array<Promise<unknown>> = [];
    for (;;) {
      for (;;) {
        const stopping = s.cancelled || poolExhausted !== undefined;
        if (streaming && !snapshotting && !s.snapshot.done && !stopping)
          snapshotting = snapshotPage().finally(() => {
            snapshotting = undefined;
          });
        if (stopping || s.nextBatch >= s.snapshot.batches || inFlight.size >= BATCHES_IN_FLIGHT) {
          // Nothing to start yet: wait for a delivery, the snapshot's next page, or the last deliveries.
          // The snapshot page may be what ends the wait, so capacity is checked here on every turn.
          if (pending().length === 0) break;
          await Promise.race(pending());
          continue;
        }
        if (startedThisRun >= (input.maxBatchesPerRun ?? BATCHES_PER_RUN) || workflowInfo().continueAsNewSuggested) {
          await Promise.all(pending());
          if (!poolExhausted && !s.cancelled) await continueWith();
          break;
        }
        const p: Promise<void> = deliver(s.nextBatch).finally(() => inFlight.delete(p));
        inFlight.add(p);
        s.nextBatch += 1;
        startedThisRun += 1;
      }
      await Promise.all(pending());
      if (!poolExhausted) break;

      statusReason = 'pool_exhausted';
      status = 'stopped';
      upsertSearchAttributes([{ key: DistributionStatusKey, value: 'stopped' }]);
      if (!patched(POOL_RECORDS)) {
        await quick.stopForExhaustedPool(id, poolExhausted.campaignId);
        return;
      }
      // Everyone not reached gets a pool_exhausted record, so the rest of the audience is snapshotted first.
      while (!s.snapshot.done && !s.cancelled) {
        await snapshotPage();
        if (workflowInfo().continueAsNewSuggested) {
          // The next run delivers again from the first batch the pool ran out in, and stops there again.
          s.nextBatch = firstExhausted;
          await continueWith();
        }
      }
      // The notice is retried on its own, not holding up a resume.
      await quick.recordPoolExhausted(id, s.nextBatch);
      notices.push(
        notice
          .sendPoolExhaustedNotice(id, poolExhausted.campaignId)
          .catch((err: unknown) => log.error('operator notice not sent', { error: String(err) })),
      );
      // 4. Stopped: once codes are added, a resume reaches exactly those skipped for pool_exhausted.
      resumable = true;
      const resumed = await condition(() => resumeRequested || s.cancelled, RESUME_WINDOW);
      resumable = false;
      if (!resumed || s.cancelled || !(await quick.reopenPoolExhausted(id)).reopened) {
        await Promise.all(notices);
        return;
      }
      resumeRequested = false;
      status = 'sending';
      statusReason = undefined;
      upsertSearchAttributes([{ key: DistributionStatusKey, value: 'sending' }]);
      s.nextBatch = firstExhausted;
      batchesDone = firstExhausted;
      poolExhausted = undefined;
      firstExhausted = Number.MAX_SAFE_INTEGER;
    }
    await Promise.all(notices);

    if (s.cancelled) return cancel();
    // Nothing reached anyone and something failed: not a plain `completed`.
    if (s.counts.sent === 0 && s.counts.failed > 0 && patched(FAILED_STATUS)) {
      await mark('failed', { status_reason: 'all_messages_failed', completed_at: now() });
      return;
    }
    await mark('completed', { completed_at: now() });
  } catch (err) {
    // A cancellation request from Temporal ends the run here; the record says who stopped it.
    if (isCancellation(err) && patched(RECORD_TEMPORAL_CANCEL)) {
      await CancellationScope.nonCancellable(() =>
        mark('cancelled', { status_reason: 'cancelled_in_temporal', completed_at: now() }),
      );
    }
    throw err;
  }
}
