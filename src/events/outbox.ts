import { Schema, type UpdateQuery } from 'mongoose';
import { newId } from '../ids';

/**
 * The transactional outbox without transactions: a change and the events it raises are
 * written by ONE single-document update (the events go into the document's `_outbox`
 * array). A crash therefore leaves either both or neither. The relay later copies them
 * into the `events` collection under their pre-assigned ids and removes them from the
 * document; repeating either step after a crash is harmless.
 */
export interface PendingEvent {
  _id: string;
  type: string;
  created_at: Date;
  customer_id?: string;
  /** The document whose change raised the event, and its version after that change. */
  source: { type: string; id: string; version?: number };
  data: Record<string, unknown>;
}

export function raiseEvent(
  type: string,
  source: PendingEvent['source'],
  data: Record<string, unknown>,
  customerId: string | undefined,
  now: Date,
): PendingEvent {
  return { _id: newId('evt'), type, created_at: now, ...(customerId ? { customer_id: customerId } : {}), source, data };
}

/** Fields every outbox-carrying schema gets. */
export const outboxFields = {
  /** Events raised by this document's latest changes, not yet copied to `events`. */
  _outbox: { type: [Schema.Types.Mixed], default: undefined },
  /** Set while `_outbox` may hold events: the relay's index, so it never scans every document. */
  outbox_pending: { type: Boolean, index: true },
};

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
