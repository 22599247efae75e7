import type { CustomerDoc } from '../../src/models/customer';

/** A stored customer for tests of pure functions and adapters; only what a test names differs. */
export function customerDoc(over: Partial<CustomerDoc> = {}): CustomerDoc {
  const now = new Date('2026-01-01T00:00:00Z');
  return {
    _id: 'cust_1',
    source_id: 'ext-1',
    source_id_key: 'ext-1',
    name: 'Ada',
    email: 'ada@example.com',
    metadata: {},
    summary: {},
    loyalty: {},
    consents: {},
    unsubscribed_channels: [],
    segments: [],
    version: 1,
    created_at: now,
    updated_at: now,
    ...over,
  };
}
