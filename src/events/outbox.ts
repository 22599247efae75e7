/**
 * The transactional outbox without transactions: a change and the events it raises are
 * written by ONE single-document update (the events go into the document's `_outbox`
 * array). A crash therefore leaves either both or neither. The relay later copies them
 * into the `events` collection under their pre-assigned ids and removes them from the
 * document; repeating either step after a crash is harmless.
 */
import type { UpdateQuery } from 'mongoose';
import { newId } from '../ids';
import type { PendingEvent } from '../models/outbox';

export { outboxFields, type PendingEvent } from '../models/outbox';

export function raiseEvent(
  type: string,
  source: PendingEvent['source'],
  data: Record<string, unknown>,
  customerId: string | undefined,
  now: Date,
): PendingEvent {
  return { _id: newId('evt'), type, created_at: now, ...(customerId ? { customer_id: customerId } : {}), source, data };
}

/** Adds `events` to an update so they are written atomically with it. */
export function withOutbox<T>(update: UpdateQuery<T>, events: PendingEvent[]): UpdateQuery<T> {
  if (events.length === 0) return update;
  const push = (update.$push ?? {}) as Record<string, unknown>;
  const set = (update.$set ?? {}) as Record<string, unknown>;
  return {
    ...update,
    $push: { ...push, _outbox: { $each: events } },
    $set: { ...set, outbox_pending: true },
  } as UpdateQuery<T>;
}
