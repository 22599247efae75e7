import { defineSignal } from '@temporalio/workflow';

/** The event router's contract (workflows/event-router.ts): one router workflow per window of time. */

export const EVENT_ROUTER_WORKFLOW = 'eventRouterWorkflow';
export type EventRouterWorkflow = (window: RouterWindow, carried?: EventRef[]) => Promise<void>;

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

export interface RouterWindow {
  /** Epoch ms after which dispatchers signal the next window's router. */
  endsAt: number;
}

/** The router of the window `now` falls in; deployments sharing a namespace are told apart by their task queue. */
export function routerWindowAt(taskQueue: string, now: number): { workflowId: string; window: RouterWindow } {
  const startsAt = Math.floor(now / ROUTER_WINDOW_MS) * ROUTER_WINDOW_MS;
  return {
    workflowId: `event-router-${taskQueue}-${new Date(startsAt).toISOString()}`,
    window: { endsAt: startsAt + ROUTER_WINDOW_MS },
  };
}
