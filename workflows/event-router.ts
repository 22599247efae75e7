import { condition, continueAsNew, defineSignal, proxyActivities, setHandler, workflowInfo, allHandlersFinished } from '@temporalio/workflow';
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

const BATCH = 500;

/**
 * The one long-running workflow that receives every domain event from the outbox
 * dispatcher and routes it (to automatic distributions, once they exist). Events arrive
 * at least once; routing is idempotent per event id. Continues as new before its history
 * grows large, carrying the events not yet routed.
 */
export async function eventRouterWorkflow(carried: EventRef[] = []): Promise<void> {
  const queue: EventRef[] = [...carried];
  setHandler(eventsSignal, (refs) => {
    queue.push(...refs);
  });
  for (;;) {
    await condition(() => queue.length > 0 || workflowInfo().continueAsNewSuggested);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof eventRouterWorkflow>(queue);
    }
    const batch = queue.splice(0, BATCH);
    await routeEvents(batch.map((e) => e.id));
  }
}
