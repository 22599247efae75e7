import type { OrderDoc } from '../models/order';

type Stored = Omit<OrderDoc, 'version' | 'source_id_key' | 'summary_customer_ids' | '_outbox' | 'outbox_pending'>;

/** Drops undefined fields: the JSON goes into event documents too, where undefined would become null. */
function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The order as Voucherify's API returns it (and as order events carry it). */
export function toOrderJson(doc: Stored) {
  return {
    id: doc._id,
    source_id: doc.source_id ?? null,
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at ? doc.updated_at.toISOString() : null,
    status: doc.status,
    ...defined({ amount: doc.amount, initial_amount: doc.initial_amount }),
    discount_amount: doc.discount_amount ?? 0,
    items_discount_amount: doc.items_discount_amount ?? 0,
    total_discount_amount: doc.total_discount_amount ?? 0,
    ...defined({ total_amount: doc.total_amount }),
    applied_discount_amount: doc.applied_discount_amount ?? 0,
    items_applied_discount_amount: doc.items_applied_discount_amount ?? 0,
    total_applied_discount_amount: doc.total_applied_discount_amount ?? 0,
    items: (doc.items ?? []).map((item) => ({ ...item, object: 'order_item' as const })),
    metadata: doc.metadata ?? {},
    customer: doc.customer_id ? { id: doc.customer_id, object: 'customer' as const } : null,
    customer_id: doc.customer_id ?? null,
    referrer_id: null,
    ...defined({ redemptions: doc.redemptions }),
    object: 'order' as const,
  };
}

export type OrderJson = ReturnType<typeof toOrderJson>;
