import type { Model } from 'mongoose';
import { inParallel } from '../concurrency';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import type { DomainEventModel } from '../models/domain-event';
import type { PendingEvent } from './outbox';

/**
 * A sweep relays a source's documents in chunks, several at once: follow-ups left by an API
 * arrive at its write rate, and a chunk of orders refreshes each customer's summary once.
 */
const SWEEP_CHUNK = 50;
const SWEEP_PARALLEL = 4;

/** A collection whose documents carry an outbox, and what to do once one is emptied. */
export interface OutboxSource {
  name: string;
  // Outbox documents differ in every other field; the relay only touches these two.
  model: Model<{ _id: string; _outbox?: PendingEvent[]; outbox_pending?: boolean }>;
  /**
   * Follow-up work of changes to these documents, run after their events are copied and
   * before their pending flags are cleared, so a crash repeats it: it must be idempotent.
   * E.g. removing a customer that was soft-deleted so its last events could be raised.
   * Given many documents at once, it may share work between them.
   */
  afterRelay?: (ids: string[]) => Promise<void>;
  /**
   * The follow-up is costly (several queries): an API process leaves it to the pump's process
   * (see EventFlow), whose sweep takes the document as soon as its events are out.
   */
  followUpByPump?: boolean;
}

/**
 * The first half of a relay, for one document or many of one source (a distribution
 * batch's publications) in one read, one insert and one bulk write: afterwards the events
 * are in `events`, and no longer in their documents. `onCopied` hears of them as soon as
 * they are safe in `events`. Both halves are safe to run concurrently and to repeat: copies
 * are idempotent by event id, and a pending flag is only cleared while the outbox is empty,
 * so an event appended meanwhile keeps it set.
 */
export async function copyOutboxes(
  source: OutboxSource,
  Event: DomainEventModel,
  ids: string[],
  onCopied?: (events: PendingEvent[]) => void,
): Promise<PendingEvent[]> {
  const docs = (await source.model.find({ _id: { $in: ids } }, { _outbox: 1 }).lean()).filter(
    (d) => (d._outbox?.length ?? 0) > 0,
  );
  const events = docs.flatMap((d) => d._outbox ?? []);
  if (events.length === 0) return [];
  try {
    // The driver's insert: the events were shaped by raiseEvent, and mongoose would build a document per event to cast them.
    await Event.collection.insertMany(events as never[], { ordered: false });
  } catch (err) {
    if (!onlyDuplicateKeys(err)) throw err;
  }
  onCopied?.(events);
  await source.model.bulkWrite(
    docs.map((d) => ({
      updateOne: {
        filter: { _id: d._id },
        update: { $pull: { _outbox: { _id: { $in: (d._outbox ?? []).map((e) => e._id) } } } },
      },
    })),
    { ordered: false, timestamps: false },
  );
  return events;
}

/** The second half: each source's follow-up work, then the pending flags cleared (keyed updates, one bulk write), in that order. */
export async function finishRelays(source: OutboxSource, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await source.afterRelay?.(ids);
  await source.model.bulkWrite(
    ids.map((id) => ({
      updateOne: {
        filter: { _id: id, outbox_pending: true, '_outbox.0': { $exists: false } },
        update: { $unset: { outbox_pending: 1 } },
      },
    })),
    { ordered: false, timestamps: false },
  );
}

/**
 * Relays up to `batchSize` documents still flagged pending, per source: the safety net for
 * writers that died before relaying, and the runner of follow-ups that an API process leaves
 * to the pump (see EventFlow). One batch per call, so a caller can stop between batches;
 * `more` says whether another call has work. `minAgeMs` leaves alone documents changed since,
 * which their writer is most likely relaying right now, except a `followUpByPump` source's
 * whose events are out (only the follow-up left to us remains); a document without
 * `updated_at` is never left alone; `relaying` names documents this process is relaying anyway.
 */
export async function sweepOutboxes(
  sources: OutboxSource[],
  Event: DomainEventModel,
  options: { batchSize?: number; minAgeMs?: number; relaying?: (source: string, id: string) => boolean } = {},
): Promise<{ relayed: number; more: boolean }> {
  const { batchSize = 500, minAgeMs = 0, relaying = () => false } = options;
  const aged = [{ updated_at: { $lt: new Date(Date.now() - minAgeMs) } }, { updated_at: { $exists: false } }];
  const filterFor = (source: OutboxSource) =>
    minAgeMs > 0
      ? {
          outbox_pending: true,
          $or: [...(source.followUpByPump ? [{ '_outbox.0': { $exists: false } }] : []), ...aged],
        }
      : { outbox_pending: true };
  let relayed = 0;
  let more = false;
  for (const source of sources) {
    const pending = await source.model.find(filterFor(source), { _id: 1 }).limit(batchSize).lean();
    const mine = pending.filter(({ _id }) => !relaying(source.name, _id));
    const chunks = Array.from({ length: Math.ceil(mine.length / SWEEP_CHUNK) }, (_, i) =>
      mine.slice(i * SWEEP_CHUNK, (i + 1) * SWEEP_CHUNK).map((d) => d._id),
    );
    await inParallel(chunks, SWEEP_PARALLEL, async (ids) => {
      const copied = await copyOutboxes(source, Event, ids);
      await finishRelays(source, ids);
      // Not `relayed += (await …).length`: that reads `relayed` before the await and loses the other lanes' counts.
      relayed += copied.length;
    });
    // A batch left entirely to live relays would come back unchanged: not more work for this sweep.
    more ||= pending.length === batchSize && mine.length > 0;
  }
  return { relayed, more };
}
