import type { CustomerDoc } from '../models/customer';

/** What a customer shows before anything was counted for it. */
export const EMPTY_SUMMARY = {
  redemptions: {
    total_redeemed: 0,
    total_failed: 0,
    total_succeeded: 0,
    total_rolled_back: 0,
    total_rollback_failed: 0,
    total_rollback_succeeded: 0,
    gift: { redeemed_amount: 0, amount_to_go: 0 },
    loyalty_card: { redeemed_points: 0, points_to_go: 0 },
  },
  orders: { total_amount: 0, total_count: 0, average_amount: 0, last_order_amount: 0 },
};

export const EMPTY_REFERRALS = { total: 0, campaigns: [] };

type Stored = Omit<CustomerDoc, 'version' | 'source_id_key' | '_outbox' | 'outbox_pending'> & Partial<CustomerDoc>;

/** The customer as Voucherify's API returns it; also what segment filters evaluate. */
export function toCustomerJson(doc: Stored) {
  const summary = doc.summary as { orders?: object; redemptions?: object };
  return {
    id: doc._id,
    source_id: doc.source_id ?? null,
    name: doc.name ?? null,
    email: doc.email ?? null,
    phone: doc.phone ?? null,
    description: doc.description ?? null,
    birthdate: doc.birthdate ?? null,
    address: doc.address
      ? { city: null, state: null, line_1: null, line_2: null, country: null, postal_code: null, ...doc.address }
      : null,
    metadata: doc.metadata ?? {},
    summary: {
      redemptions: { ...EMPTY_SUMMARY.redemptions, ...summary?.redemptions },
      orders: { ...EMPTY_SUMMARY.orders, ...summary?.orders },
    },
    loyalty: { points: 0, referred_customers: 0, campaigns: {}, ...doc.loyalty },
    referrals: doc.referrals ?? EMPTY_REFERRALS,
    system_metadata: {},
    created_at: doc.created_at.toISOString(),
    updated_at: doc.updated_at ? doc.updated_at.toISOString() : null,
    object: 'customer' as const,
  };
}

export type CustomerJson = ReturnType<typeof toCustomerJson>;

/** The short form events carry: enough to address the customer without a lookup. */
export function customerRef(doc: Pick<CustomerDoc, '_id' | 'source_id' | 'name' | 'email' | 'phone' | 'metadata'>) {
  return {
    id: doc._id,
    source_id: doc.source_id ?? null,
    name: doc.name ?? null,
    email: doc.email ?? null,
    phone: doc.phone ?? null,
    metadata: doc.metadata ?? {},
    object: 'customer' as const,
  };
}
