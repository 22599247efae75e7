import type { Client } from '@temporalio/client';
import type { Logger } from '../logger';
import type { DomainEventModel } from '../models/domain-event';
import {
  EVENT_ROUTER_WORKFLOW,
  eventsSignal,
  routerWindowAt,
  type EventRef,
  type EventRouterWorkflow,
} from '../../workflows/contracts/event-router';

/** Where events go: the router workflow of one task queue. */
export interface DispatchTarget {
  Event: DomainEventModel;
  temporal: Client;
  taskQueue: string;
}

const BATCH = 200;

/**
 * Hands events to the router of the current window, then marks them dispatched, by `_id`
 * only. A crash between the two re-sends them later: delivery is at least once, and routing
 * is idempotent per event.
 */
export async function sendEvents({ Event, temporal, taskQueue }: DispatchTarget, refs: EventRef[]): Promise<void> {
  const { workflowId, window } = routerWindowAt(taskQueue, Date.now());
  await temporal.workflow.signalWithStart<EventRouterWorkflow, [EventRef[]]>(EVENT_ROUTER_WORKFLOW, {
    workflowId,
    taskQueue,
    args: [window],
    signal: eventsSignal,
    signalArgs: [refs],
  });
  await Event.updateMany({ _id: { $in: refs.map((e) => e.id) } }, { $set: { dispatched_at: new Date() } });
}

/**
 * The safety net: finds undispatched events (by the index on `dispatched_at`, whose absent
 * values the embedded server serves too) and sends them, oldest first. `minAgeMs` leaves
 * alone the events a live writer is dispatching by id right now, so the two do not both
 * signal them.
 */
export async function dispatchEvents(
  target: DispatchTarget,
  options: { stop?: () => boolean; minAgeMs?: number } = {},
): Promise<number> {
  const { stop = () => false, minAgeMs = 0 } = options;
  let dispatched = 0;
  for (;;) {
    const filter = {
      dispatched_at: { $exists: false },
      ...(minAgeMs > 0 ? { created_at: { $lt: new Date(Date.now() - minAgeMs) } } : {}),
    };
    const batch = await target.Event.find(filter, { _id: 1, type: 1 }).sort({ created_at: 1 }).limit(BATCH).lean();
    if (batch.length === 0) return dispatched;
    await sendEvents(
      target,
      batch.map((e) => ({ id: e._id, type: e.type })),
    );
    dispatched += batch.length;
    if (batch.length < BATCH || stop()) return dispatched;
  }
}

/**
 * Dispatches the events a writer just relayed, by id, without scanning: what arrives while
 * a signal is in flight goes out together in the next one, so a burst of writes costs a
 * few signals rather than one each. A failed send is only logged: the events stay
 * undispatched and the pump's sweep sends them.
 */
export class EventDispatcher {
  private queue: EventRef[] = [];
  private sending?: Promise<void>;

  constructor(
    private readonly target: DispatchTarget,
    private readonly logger: Logger,
  ) {}

  add(refs: EventRef[]): void {
    this.queue.push(...refs);
    if (!this.sending && this.queue.length > 0) this.start();
  }

  /** Resolves once everything added so far has been sent (or failed). */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private start(): void {
    this.sending = this.sendAll().finally(() => {
      this.sending = undefined;
      // Added after the loop saw an empty queue but before this ran.
      if (this.queue.length > 0) this.start();
    });
  }

  private async sendAll(): Promise<void> {
    while (this.queue.length > 0) {
      const refs = this.queue.splice(0, BATCH);
      try {
        await sendEvents(this.target, refs);
      } catch (err) {
        this.logger.warn({ err, events: refs.length }, 'event dispatch failed; the pump sweep will retry');
      }
    }
  }
}
