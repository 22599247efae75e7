import { Schema } from 'mongoose';

/**
 * An event raised by a change, stored in the changed document's `_outbox` by the same
 * single-document update (the outbox itself: `src/events/outbox.ts`).
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

/** Fields every outbox-carrying schema gets. */
export const outboxFields = {
  /** Events raised by this document's latest changes, not yet copied to `events`. */
  _outbox: { type: [Schema.Types.Mixed], default: undefined },
  /** Set while `_outbox` may hold events: the relay's index, so it never scans every document. */
  outbox_pending: { type: Boolean, index: true },
};
