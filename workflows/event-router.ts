import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from './contracts/activities';
import { eventsSignal, type EventRef, type RouterWindow } from './contracts/event-router';

/** How long a router outlives its window: a dispatcher whose clock is a little behind still signals it. */
const WINDOW_GRACE_MS = 5_000;

const { routeEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const BATCH = 200;
/** Batches routed at once: a slow batch (many deliveries to start) does not hold up the next events. */
const PARALLEL_BATCHES = 4;
/**
 * Batches per run. A window's router continues as new only when a burst (a large import's
 * segment events) outgrows this or the server's suggestion; a steady stream ends with the
 * window first, and never pays for continuing as new while signals arrive.
 */
const BATCHES_PER_RUN = 500;
/** Events carried into the next run at most (about 60 bytes each): the rest are routed first. */
const MAX_CARRIED = 5_000;

/**
 * Receives the domain events the outbox dispatcher hands over during one window and routes
 * each to the automatic distributions it fires. Events arrive at least once; routing is
 * idempotent per event id, so batches may run side by side, and a late signal to a window
 * whose router already ended simply starts it again.
 */
export async function eventRouterWorkflow(window: RouterWindow, carried: EventRef[] = []): Promise<void> {
  const queue: EventRef[] = [...carried];
  setHandler(eventsSignal, (refs) => {
    queue.push(...refs);
  });
  let windowOver = false;
  // One timer per run; workflow time is the deterministic time of the task.
  void sleep(Math.max(0, window.endsAt + WINDOW_GRACE_MS - Date.now())).then(() => {
    windowOver = true;
  });
  let inFlight = 0;
  let batches = 0;
  const idle = () => queue.length === 0 && inFlight === 0;
  // A backlog is drained before continuing as new: carried along, it would be one payload past Temporal's size limit.
  const continuing = () =>
    (batches >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) && queue.length <= MAX_CARRIED;
  for (;;) {
    await condition(() => (queue.length > 0 && inFlight < PARALLEL_BATCHES) || continuing() || (windowOver && idle()));
    if (windowOver && idle()) {
      await condition(allHandlersFinished);
      return;
    }
    if (continuing()) {
      await condition(() => inFlight === 0 && allHandlersFinished());
      await continueAsNew<typeof eventRouterWorkflow>(window, queue);
    }
    const batch = queue.splice(0, BATCH);
    inFlight += 1;
    batches += 1;
    // No attempt limit: it settles once the batch is routed.
    void routeEvents(batch.map((e) => e.id)).finally(() => {
      inFlight -= 1;
    });
  }
}
