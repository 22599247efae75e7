import type { Client } from '@temporalio/client';
import type { Logger } from '../logger';
import type { DomainEventModel } from '../models/domain-event';
import { dispatchEvents } from './dispatcher';
import { sweepOutboxes, type OutboxSource } from './relay';

export interface EventPump {
  /** Runs one round now, young events included, and resolves when it is done. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The safety net behind EventFlow's relay and dispatch by id: on a timer, relays the outboxes
 * and dispatches the events a process died before handling, and runs the follow-ups an API
 * process leaves to it. Both find their work through indexes (`outbox_pending`, an absent
 * `dispatched_at`; the embedded server serves those too), but every round still queries every
 * outbox collection, which is why this runs every few seconds and not after each write.
 */
export function startEventPump(options: {
  sources: OutboxSource[];
  Event: DomainEventModel;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  /** Documents this process's EventFlow is relaying: the sweep leaves them to it. */
  relaying?: (source: string, id: string) => boolean;
  intervalMs?: number;
}): EventPump {
  const { sources, Event, temporal, taskQueue, logger, relaying, intervalMs = 5_000 } = options;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  // Batch by batch, checking for stop in between: a backlog of thousands of outboxes must not hold up a shutdown.
  // Work younger than a tick is most likely being done by its writer right now.
  const round = async (minAgeMs: number) => {
    for (;;) {
      const { more } = await sweepOutboxes(sources, Event, { minAgeMs, ...(relaying ? { relaying } : {}) });
      await dispatchEvents({ Event, temporal, taskQueue }, { stop: () => stopped, minAgeMs });
      if (!more || stopped) return;
    }
  };
  const run = (minAgeMs = intervalMs): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await round(minAgeMs);
        } catch (err) {
          logger.warn({ err }, 'event pump round failed; retrying on the next tick');
        }
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  void run();
  return {
    async drain() {
      await running;
      await run(0);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
