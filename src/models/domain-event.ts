import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * A domain event (e.g. `customer.segment.entered`), copied here from the outbox of the
 * document whose change raised it. `_id` is fixed when the change is written, so copying
 * twice after a crash is a duplicate-key no-op, never a second event.
 */
const domainEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** Voucherify's event name, e.g. `customer.order.paid`. */
    type: { type: String, required: true },
    /** When the change that raised it was written. */
    created_at: { type: Date, required: true },
    /** The customer the event concerns; distributions pick their audience by it. */
    customer_id: { type: String },
    /** The document whose change raised it, e.g. `{ type: 'order', id: 'ord_…' }`. */
    source: {
      type: { type: String, required: true },
      id: { type: String, required: true },
      /** The source document's version after the change: orders its events where timestamps tie. */
      version: { type: Number },
    },
    /** Event body in Voucherify's shape: `customer`, `segment`, `order`, … */
    data: { type: Schema.Types.Mixed, default: {} },
    /** When Temporal accepted it (the event router's signal); unset until then. */
    dispatched_at: { type: Date },
    /** When the event router workflow processed it. */
    routed_at: { type: Date },
  },
  { collection: 'events', versionKey: false, minimize: false },
);
domainEventSchema.index({ dispatched_at: 1, created_at: 1 });
domainEventSchema.index({ customer_id: 1, created_at: 1 });

export type DomainEvent = InferSchemaType<typeof domainEventSchema>;
export type DomainEventModel = Model<DomainEvent>;

export function domainEventModel(db: Connection): DomainEventModel {
  return (
    (db.models.DomainEvent as DomainEventModel | undefined) ?? db.model<DomainEvent>('DomainEvent', domainEventSchema)
  );
}
