import { allHandlersFinished, condition, continueAsNew, defineSignal, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** What the dispatcher hands over: ids only; the activity reads the events from MongoDB. */
export interface EventRef {
  id: string;
  type: string;
}

export const eventsSignal = defineSignal<[EventRef[]]>('events');

/**
 * How long one router receives events. Each window has its own workflow, which ends once its
 * window is over and it is idle — at a moment when no dispatcher signals it any more. A single
 * router that continued as new under a steady stream of signals held them up for 4–9 s
 * (most likely because Temporal rejects a run's last workflow task while signals arrive
 * during it), which was the whole p99 tail of trigger latency. Short, because a window must
 * end before its history reaches the bounds below: at 50 orders/s a window's run grows to
 * about 1,000 events (a signal, a workflow task and often an activity per order), and 30 s
 * windows still continued as new, and stalled, before their end.
 */
export const ROUTER_WINDOW_MS = 5_000;
/** How long a router outlives its window: a dispatcher whose clock is a little behind still signals it. */
const WINDOW_GRACE_MS = 5_000;

export interface RouterWindow {
  /** Epoch ms after which dispatchers signal the next window's router. */
  endsAt: number;
}

/** The router of the window `now` falls in; deployments sharing a namespace are told apart by their task queue. */
export function routerWindowAt(taskQueue: string, now: number): { workflowId: string; window: RouterWindow } {
  const startsAt = Math.floor(now / ROUTER_WINDOW_MS) * ROUTER_WINDOW_MS;
  return { workflowId: `event-router-${taskQueue}-${new Date(startsAt).toISOString()}`, window: { endsAt: startsAt + ROUTER_WINDOW_MS } };
}

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
  const continuing = () => (batches >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) && queue.length <= MAX_CARRIED;
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
