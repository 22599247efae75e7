import { Schema, type Connection, type Model } from 'mongoose';
import { outboxFields, type PendingEvent } from './outbox';

/** Statuses a client may write; `PROCESSING` only ever appears in Voucherify's responses. */
export const WRITABLE_ORDER_STATUSES = ['CREATED', 'PAID', 'CANCELED', 'FULFILLED'] as const;
export type OrderStatus = (typeof WRITABLE_ORDER_STATUSES)[number] | 'PROCESSING';

export interface OrderItem {
  sku_id?: string;
  product_id?: string;
  related_object?: 'product' | 'sku';
  source_id?: string;
  quantity?: number;
  discount_quantity?: number;
  initial_quantity?: number;
  price?: number;
  /** price × quantity unless given. */
  amount?: number;
  discount_amount?: number;
  initial_amount?: number;
  product?: Record<string, unknown>;
  sku?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/**
 * An order, stored in Voucherify's shape. Amounts are integers in the smallest currency
 * unit; the totals are derived at write time and stored so summaries can sum them.
 */
const orderSchema = new Schema(
  {
    _id: { type: String, required: true },
    source_id: { type: String },
    /** source_id, or the id when there is none: unique (see the customer model for why not source_id itself). */
    source_id_key: { type: String, required: true, unique: true },
    status: { type: String, required: true, enum: [...WRITABLE_ORDER_STATUSES, 'PROCESSING'] },
    amount: Number,
    initial_amount: Number,
    discount_amount: Number,
    items_discount_amount: Number,
    total_discount_amount: Number,
    total_amount: Number,
    /** Set by redemptions against this order. */
    applied_discount_amount: Number,
    items_applied_discount_amount: Number,
    total_applied_discount_amount: Number,
    redemptions: { type: Schema.Types.Mixed },
    items: { type: [Schema.Types.Mixed], default: [] },
    metadata: { type: Schema.Types.Mixed, default: {} },
    customer_id: { type: String },
    /**
     * Every customer this order has belonged to: each one's `summary.orders` depends on it,
     * so moving an order to another customer must refresh the old one's summary too.
     */
    summary_customer_ids: { type: [String], default: [] },
    /** Bumped by every write; writers update only the version they read (see CustomerService). */
    version: { type: Number, default: 0 },
    /**
     * Set by OrderService, not by mongoose timestamps: those would also stamp the relay's
     * outbox bookkeeping updates, moving `updated_at` without any change to the order.
     */
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    ...outboxFields,
  },
  { collection: 'orders', versionKey: false, minimize: false },
);
orderSchema.index({ created_at: 1, _id: 1 });
orderSchema.index({ updated_at: 1, _id: 1 });
orderSchema.index({ customer_id: 1, status: 1, created_at: -1 });

export interface OrderDoc {
  _id: string;
  source_id?: string;
  source_id_key: string;
  status: OrderStatus;
  amount?: number;
  initial_amount?: number;
  discount_amount?: number;
  items_discount_amount?: number;
  total_discount_amount?: number;
  total_amount?: number;
  applied_discount_amount?: number;
  items_applied_discount_amount?: number;
  total_applied_discount_amount?: number;
  redemptions?: Record<string, unknown>;
  items: OrderItem[];
  metadata: Record<string, unknown>;
  customer_id?: string;
  summary_customer_ids: string[];
  version: number;
  _outbox?: PendingEvent[];
  outbox_pending?: boolean;
  created_at: Date;
  updated_at: Date;
}

export type OrderModel = Model<OrderDoc>;

export function orderModel(db: Connection): OrderModel {
  return (db.models.Order as OrderModel | undefined) ?? db.model<OrderDoc>('Order', orderSchema);
}
