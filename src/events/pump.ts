import type { Client } from '@temporalio/client';
import type { Logger } from '../logger';
import type { DomainEventModel } from '../models/domain-event';
import { dispatchEvents } from './dispatcher';
import { sweepOutboxes, type OutboxSource } from './relay';

export interface EventPump {
  /** Run a round soon, e.g. right after a write raised events. */
  nudge(): void;
  /** Runs one round now and resolves when it is done (tests use it to wait). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Moves events from outboxes to `events` and on to Temporal: after every nudge, and on a
 * timer as the safety net for writes whose process died before it could relay them.
 */
export function startEventPump(options: {
  sources: OutboxSource[];
  Event: DomainEventModel;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  intervalMs?: number;
}): EventPump {
  const { sources, Event, temporal, taskQueue, logger, intervalMs = 1_000 } = options;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  // Batch by batch, checking for stop in between: a backlog of thousands of outboxes must not hold up a shutdown.
  const round = async () => {
    for (;;) {
      const { more } = await sweepOutboxes(sources, Event);
      await dispatchEvents(Event, temporal, taskQueue, () => stopped);
      if (!more || stopped) return;
    }
  };
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await round();
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
    nudge: () => void run(),
    async drain() {
      await running;
      await run();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
