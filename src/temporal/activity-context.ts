import type { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';
import { logContext } from '../logger';
import { engineMetrics, type InFlightKind } from '../metrics/engine-metrics';

/** The activities counted in `promo_batches_in_flight`, by the kind of work they do. */
const IN_FLIGHT: Readonly<Record<string, InFlightKind>> = {
  deliverBatch: 'batch',
  routeEvents: 'routing',
  deliverForEvent: 'automatic',
};

/**
 * The activities that mark a batch's or an event's still-queued messages `failed` in one update
 * once the retry policy gave up; they answer how many (`{ failed }` or a number).
 */
const BULK_FAILS: ReadonlySet<string> = new Set(['failQueuedMessages', 'failQueuedEventMessages']);

const failedCount = (result: unknown): number =>
  typeof result === 'number' ? result : ((result as { failed?: number } | undefined)?.failed ?? 0);

/** A distribution's id inside a workflow id (`distribution-distr_…`, `delivery-distr_…-evt_…`). */
export function distributionIdIn(workflowId: string): string | undefined {
  return /(?:^|-)(distr_[A-Za-z0-9]+)/.exec(workflowId)?.[1];
}

/** The ids an activity's log lines carry: its workflow's, and the distribution's when it works for one. */
export function activityLogIds(info: Context['info'], args: readonly unknown[]): Record<string, string> {
  const workflowId = info.workflowExecution?.workflowId;
  const first = args[0];
  const fromInput =
    first && typeof first === 'object' && typeof (first as { distributionId?: unknown }).distributionId === 'string'
      ? (first as { distributionId: string }).distributionId
      : undefined;
  const distributionId = fromInput ?? (workflowId ? distributionIdIn(workflowId) : undefined);
  return {
    activity: info.activityType,
    ...(workflowId ? { workflowId } : {}),
    ...(distributionId ? { distributionId } : {}),
  };
}

/**
 * Runs every activity inside the async log context of its workflow, so each line logged
 * anywhere in its work (services, channels, the operator mail) names the workflow and the
 * distribution without any code passing them along; delivery activities are counted in flight,
 * and messages failed in bulk are counted as the activities that fail them answer.
 */
export function activityContextInterceptor(ctx: Context): ActivityInterceptors {
  return {
    inbound: {
      execute(input, next) {
        const { activityType } = ctx.info;
        const kind = IN_FLIGHT[activityType];
        const run = async () => {
          const result = await (kind ? engineMetrics.inFlight(kind, () => next(input)) : next(input));
          if (BULK_FAILS.has(activityType)) engineMetrics.retriesExhausted(failedCount(result));
          return result;
        };
        return logContext.run(activityLogIds(ctx.info, input.args), run);
      },
    },
  };
}
