import type { Client } from '@temporalio/client';
import type { Logger } from '../logger';
import type { Models } from '../models';
import { EventDispatcher } from './dispatcher';
import type { PendingEvent } from './outbox';
import { startEventPump, type EventPump } from './pump';
import { copyOutboxes, finishRelays, type OutboxSource } from './relay';

/**
 * Runs `work(keys)` for queued keys, up to `batch` keys a call and at most `limit` calls at
 * once. A key queued again before its turn is queued once: the work reads the document
 * afresh, so one run covers both requests. Under load keys pile up while the calls run and
 * go in fewer, larger batches, which lets the work share queries between them.
 */
class KeyedQueue {
  private readonly waiting = new Set<string>();
  private readonly running = new Set<string>();
  private readonly calls = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly limit: number,
    private readonly batch: number,
    /** Keys of a call share what comes before their first NUL (the source), so they can be done together. */
    private readonly work: (keys: string[]) => Promise<void>,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.waiting.add(key);
    this.next();
  }

  has(key: string): boolean {
    return this.waiting.has(key) || this.running.has(key);
  }

  /** Drops what waits (its documents stay flagged for the sweep) and resolves once what runs has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.clear();
    await Promise.all(this.calls);
  }

  private next(): void {
    while (this.calls.size < this.limit) {
      const keys = this.take();
      if (keys.length === 0) return;
      const call = this.work(keys).finally(() => {
        for (const key of keys) this.running.delete(key);
        this.calls.delete(call);
        this.next();
      });
      this.calls.add(call);
    }
  }

  /** Up to `batch` waiting keys of one group; a key whose work runs waits for that run to end. */
  private take(): string[] {
    const keys: string[] = [];
    let group: string | undefined;
    for (const key of this.waiting) {
      if (this.running.has(key)) continue;
      const keyGroup = key.slice(0, key.indexOf('\0'));
      group ??= keyGroup;
      if (keyGroup !== group) continue;
      keys.push(key);
      if (keys.length === this.batch) break;
    }
    for (const key of keys) {
      this.waiting.delete(key);
      this.running.add(key);
    }
    return keys;
  }
}

export interface EventFlowDeps {
  models: Models;
  logger: Logger;
  temporal: Client;
  taskQueue: string;
  /** Every collection with an outbox, with its follow-ups (src/events/sources.ts). */
  sources: OutboxSource[];
}

/**
 * What a writer calls after a change raised events: relay that document's outbox now and
 * dispatch exactly the events it copied, by id, so an event reaches Temporal without any
 * scan. If this process dies first, the pump's sweep does both later; nothing here is
 * needed for correctness.
 *
 * Copying comes first; the sources' follow-up work (e.g. refreshing a customer's order
 * summary, several queries) runs in a queue of its own, so a slow follow-up never holds up
 * the next copy. A process without a pump (an API apart from its workers) leaves costly
 * follow-ups (`followUpByPump`) to the pump's process, whose sweep takes a document as soon
 * as its events are out: the API stays lean, and the two never both run one (a loaded API
 * ran them seconds late, by when the sweep had repeated them).
 */
export class EventFlow {
  readonly sources: OutboxSource[];
  readonly dispatcher: EventDispatcher;
  private runningPump: EventPump | undefined;
  /**
   * Few copies at once, each of every document waiting: at a low rate a copy holds one
   * document and its event goes out at once; under load the documents that arrived while the
   * copies ran go together in one read, one insert and one bulk write (16 single-document copies
   * at once spent a third of the process's CPU writing to the database's socket at 100 orders/s).
   */
  private readonly copies = new KeyedQueue(4, 100, (keys) => this.copy(keys));
  // Batched: a backlog of orders refreshes each of their customers' summaries once.
  private readonly followUps = new KeyedQueue(8, 50, (keys) => this.finish(keys));
  private readonly bulkRelays = new Set<Promise<void>>();
  private stopping = false;

  constructor(private readonly deps: EventFlowDeps) {
    this.sources = deps.sources;
    this.dispatcher = new EventDispatcher(
      { Event: deps.models.DomainEvent, temporal: deps.temporal, taskQueue: deps.taskQueue },
      deps.logger,
    );
  }

  /** The worker's pump, while this process runs one. */
  get pump(): EventPump | undefined {
    return this.runningPump;
  }

  /**
   * Starts the pump over this flow's sources (a worker's job). Until `stopPump`, this process
   * also runs the follow-ups an API process leaves to the pump, and the pump's sweep leaves
   * alone what this flow is still relaying.
   */
  startPump(): EventPump {
    this.runningPump ??= startEventPump({
      sources: this.sources,
      Event: this.deps.models.DomainEvent,
      temporal: this.deps.temporal,
      taskQueue: this.deps.taskQueue,
      logger: this.deps.logger,
      relaying: (source, id) => this.relaying(source, id),
    });
    return this.runningPump;
  }

  async stopPump(): Promise<void> {
    await this.runningPump?.stop();
    this.runningPump = undefined;
  }

  raised(sourceName: string, id: string): void {
    this.source(sourceName);
    this.copies.add(`${sourceName}\0${id}`);
  }

  /** Whether this process still has relay work queued or running for the document: the sweep leaves it alone. */
  relaying(sourceName: string, id: string): boolean {
    const key = `${sourceName}\0${id}`;
    return this.copies.has(key) || this.followUps.has(key);
  }

  /**
   * `raised` for many documents of one source at once (a distribution batch's publications):
   * their outboxes are copied, dispatched and cleared in a few bulk round trips.
   */
  raisedMany(sourceName: string, ids: string[]): void {
    const source = this.source(sourceName);
    if (ids.length === 0 || this.stopping) return;
    const relay = (async () => {
      try {
        await copyOutboxes(source, this.deps.models.DomainEvent, ids, this.dispatch);
        await finishRelays(source, ids);
      } catch (err) {
        this.deps.logger.warn(
          { err, source: sourceName, count: ids.length },
          'relay failed; the pump sweep will retry',
        );
      }
    })();
    this.bulkRelays.add(relay);
    void relay.finally(() => this.bulkRelays.delete(relay));
  }

  /**
   * For shutdown, before the database and Temporal connections close: starts nothing new
   * (what was queued stays flagged in its document, for the next sweep), lets what runs
   * end, and hands the copied events to Temporal. Without it each queued relay fails on the
   * closed connection, one warning each.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.copies.stop(), this.followUps.stop(), ...this.bulkRelays]);
    await this.dispatcher.flush();
  }

  /** Keys of one source, as KeyedQueue batches them. */
  private async copy(keys: string[]): Promise<void> {
    const { source, ids } = this.parseAll(keys);
    try {
      await copyOutboxes(source, this.deps.models.DomainEvent, ids, this.dispatch);
      if (!source.followUpByPump || this.pump) for (const key of keys) this.followUps.add(key);
    } catch (err) {
      this.deps.logger.warn({ err, source: source.name, ids: ids.length }, 'relay failed; the pump sweep will retry');
    }
  }

  /** Keys of one source, as KeyedQueue batches them. */
  private async finish(keys: string[]): Promise<void> {
    const { source, ids } = this.parseAll(keys);
    try {
      await finishRelays(source, ids);
    } catch (err) {
      this.deps.logger.warn(
        { err, source: source.name, ids: ids.length },
        'relay follow-up failed; the pump sweep will retry',
      );
    }
  }

  /** Copied events go to the router by id as soon as they are safe in `events`. */
  private readonly dispatch = (events: PendingEvent[]): void =>
    this.dispatcher.add(events.map((e) => ({ id: e._id, type: e.type })));

  private source(name: string): OutboxSource {
    const source = this.sources.find((s) => s.name === name);
    if (!source) throw new Error(`unknown outbox source ${name}`);
    return source;
  }

  /** Keys of one source (`<source>\0<id>`, as KeyedQueue groups them): that source and their ids. */
  private parseAll(keys: string[]): { source: OutboxSource; ids: string[] } {
    const parts = keys.map((key) => key.split('\0') as [string, string]);
    return { source: this.source(parts[0]![0]), ids: parts.map(([, id]) => id) };
  }
}
