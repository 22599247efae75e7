import type { Model } from 'mongoose';
import type { DomainEventModel } from '../models/domain-event';
import type { PendingEvent } from './outbox';

/** A collection whose documents carry an outbox, and what to do once one is emptied. */
export interface OutboxSource {
  name: string;
  // Outbox documents differ in every other field; the relay only touches these two.
  model: Model<{ _id: string; _outbox?: PendingEvent[]; outbox_pending?: boolean }>;
  /**
   * Follow-up work of a change, run after its events are copied and before the pending flag
   * is cleared, so a crash repeats it: it must be idempotent. E.g. removing a customer that
   * was soft-deleted so its last events could be raised.
   */
  afterRelay?: (id: string) => Promise<void>;
}

const DUPLICATE_KEY = 11000;

function onlyDuplicates(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: Array<{ code?: number; err?: { code?: number } }> };
  if (e.writeErrors?.length) return e.writeErrors.every((w) => (w.code ?? w.err?.code) === DUPLICATE_KEY);
  return e.code === DUPLICATE_KEY;
}

/**
 * Copies one document's outbox into `events`, then removes what was copied. Safe to run
 * concurrently and to repeat: copies are idempotent by event id, and the pending flag is
 * only cleared while the outbox is empty, so an event appended meanwhile keeps it set.
 */
export async function relayOutbox(source: OutboxSource, Event: DomainEventModel, id: string): Promise<number> {
  const doc = await source.model.findById(id, { _outbox: 1 }).lean();
  const events = doc?._outbox ?? [];
  if (events.length > 0) {
    try {
      await Event.insertMany(events, { ordered: false });
    } catch (err) {
      if (!onlyDuplicates(err)) throw err;
    }
    await source.model.updateOne({ _id: id }, { $pull: { _outbox: { _id: { $in: events.map((e) => e._id) } } } }, { timestamps: false });
  }
  await source.afterRelay?.(id);
  await source.model.updateOne({ _id: id, outbox_pending: true, '_outbox.0': { $exists: false } }, { $unset: { outbox_pending: 1 } }, { timestamps: false });
  return events.length;
}

/**
 * Relays up to `batchSize` documents still flagged pending, per source: the safety net for
 * writers that died before relaying. One batch per call, so a caller can stop between
 * batches; `more` says whether another call has work.
 */
export async function sweepOutboxes(sources: OutboxSource[], Event: DomainEventModel, batchSize = 500): Promise<{ relayed: number; more: boolean }> {
  let relayed = 0;
  let more = false;
  for (const source of sources) {
    const pending = await source.model.find({ outbox_pending: true }, { _id: 1 }).limit(batchSize).lean();
    for (const { _id } of pending) relayed += await relayOutbox(source, Event, _id);
    more ||= pending.length === batchSize;
  }
  return { relayed, more };
}
