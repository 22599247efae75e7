import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Logger } from '../logger';
import {
  SEGMENT_TIME_REFRESH_WORKFLOW,
  type SegmentTimeRefreshWorkflow,
} from '../../workflows/contracts/segment-time-refresh';

/** Daily unless SEGMENT_REFRESH_INTERVAL_SECONDS says otherwise. */
export const DEFAULT_SEGMENT_REFRESH_SECONDS = 86_400;

/** One schedule per task queue, like the workers and database behind it. */
export function segmentRefreshScheduleId(taskQueue: string): string {
  return `segment-time-refresh-${taskQueue}`;
}

/**
 * Creates the Temporal Schedule that re-evaluates date-dependent segments (visible, pausable
 * and triggerable in the Temporal UI), or brings an existing one to the configured interval.
 * Overlap SKIP: a run still going when the next is due is not doubled. A failure is logged,
 * not fatal: the worker's other work does not depend on it.
 */
export async function ensureSegmentRefreshSchedule(
  temporal: Client,
  taskQueue: string,
  everySeconds: number,
  logger: Logger,
): Promise<void> {
  const scheduleId = segmentRefreshScheduleId(taskQueue);
  const spec = { intervals: [{ every: `${everySeconds} seconds` as const }] };
  const action: ScheduleOptionsStartWorkflowAction<SegmentTimeRefreshWorkflow> = {
    type: 'startWorkflow',
    workflowType: SEGMENT_TIME_REFRESH_WORKFLOW,
    workflowId: scheduleId,
    taskQueue,
    args: [{}],
  };
  try {
    try {
      await temporal.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
      logger.info({ scheduleId, everySeconds }, 'created the date-dependent segments schedule');
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    }
  } catch (err) {
    logger.warn(
      { err, scheduleId },
      'could not create or update the date-dependent segments schedule; time-relative segments are not re-evaluated',
    );
  }
}
