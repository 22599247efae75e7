import { condition, continueAsNew, defineSignal, patched, proxyActivities, setHandler, workflowInfo, allHandlersFinished } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** What the dispatcher hands over: ids only; the activity reads the events from MongoDB. */
export interface EventRef {
  id: string;
  type: string;
}

export const eventsSignal = defineSignal<[EventRef[]]>('events');

/** One router per deployment; deployments sharing a namespace are told apart by their task queue. */
export function eventRouterWorkflowId(taskQueue: string): string {
  return `event-router-${taskQueue}`;
}

const { routeEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const BATCH = 200;
/** Batches routed at once: a slow batch (many deliveries to start) does not hold up the next events. */
const PARALLEL_BATCHES = 4;
/**
 * Batches per run. Well before the server suggests continuing as new, so that replaying the
 * history (after the worker evicted it from its cache) stays quick.
 */
const BATCHES_PER_RUN = 500;
/** Events carried into the next run at most (about 60 bytes each): the rest are routed first. */
const MAX_CARRIED = 5_000;

/**
 * The one long-running workflow that receives every domain event from the outbox
 * dispatcher and routes it to the automatic distributions it fires. Events arrive at least
 * once; routing is idempotent per event id, so batches may run side by side. Continues as
 * new before its history grows large, carrying the events not yet routed.
 */
export async function eventRouterWorkflow(carried: EventRef[] = []): Promise<void> {
  const queue: EventRef[] = [...carried];
  setHandler(eventsSignal, (refs) => {
    queue.push(...refs);
  });
  // A run started by the sequential router replays as it ran; its successor routes in parallel.
  if (!patched('parallel-routing')) return routeSequentially(queue);
  let inFlight = 0;
  let batches = 0;
  // A backlog is drained before continuing as new: carried along, it would be one payload past Temporal's size limit.
  const ending = () => (batches >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) && queue.length <= MAX_CARRIED;
  for (;;) {
    await condition(() => (queue.length > 0 && inFlight < PARALLEL_BATCHES) || ending());
    if (ending()) {
      await condition(() => inFlight === 0 && allHandlersFinished());
      await continueAsNew<typeof eventRouterWorkflow>(queue);
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

/** The loop of routers started before parallel routing, kept so they replay; remove once none runs. */
async function routeSequentially(queue: EventRef[]): Promise<void> {
  for (;;) {
    await condition(() => queue.length > 0 || workflowInfo().continueAsNewSuggested);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof eventRouterWorkflow>(queue);
    }
    await routeEvents(queue.splice(0, 500).map((e) => e.id));
  }
}
