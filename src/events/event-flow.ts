import type { Logger } from '../logger';
import type { Models } from '../models';
import type { EventPump } from './pump';
import { relayOutbox, type OutboxSource } from './relay';
import { outboxSources } from './sources';

/**
 * What a writer calls after a change raised events: relay that document's outbox now
 * (so events are visible at once), then nudge the pump to dispatch them. If this process
 * dies first, the pump's sweep does both later; nothing here is needed for correctness.
 */
export class EventFlow {
  readonly sources: OutboxSource[];
  pump?: EventPump;

  constructor(
    private readonly models: Models,
    private readonly logger: Logger,
  ) {
    this.sources = outboxSources(models);
  }

  raised(sourceName: string, id: string): void {
    const source = this.sources.find((s) => s.name === sourceName);
    if (!source) throw new Error(`unknown outbox source ${sourceName}`);
    relayOutbox(source, this.models.DomainEvent, id)
      .then(() => this.pump?.nudge())
      .catch((err: unknown) => this.logger.warn({ err, source: sourceName, id }, 'relay failed; the pump sweep will retry'));
  }
}
