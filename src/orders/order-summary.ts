import type { CustomerService } from '../customers/customer-service';
import { AppError } from '../http/errors';
import type { Models } from '../models';
import type { OrderStatus } from '../models/order';

/**
 * Orders that count towards a customer's `summary.orders`: those the customer paid for.
 * CREATED is a cart that may never be paid and CANCELED was called off, so neither says
 * anything about what the customer spent; FULFILLED comes after PAID and still counts.
 */
export const SUMMARY_STATUSES: readonly OrderStatus[] = ['PAID', 'FULFILLED'];

/** Re-reads and rewrites a summary at most this often per refresh when orders keep changing under it. */
const MAX_ROUNDS = 5;

export interface OrdersSummary {
  total_amount: number;
  total_count: number;
  average_amount: number;
  last_order_amount: number;
  /** ISO 8601, as the API shows it and segment filters compare it; absent without orders. */
  last_order_date?: string;
}

const EMPTY: OrdersSummary = { total_amount: 0, total_count: 0, average_amount: 0, last_order_amount: 0 };

function sameSummary(a: OrdersSummary, b: OrdersSummary): boolean {
  return (['total_amount', 'total_count', 'average_amount', 'last_order_amount', 'last_order_date'] as const).every((k) => a[k] === b[k]);
}

/**
 * Keeps `customer.summary.orders` equal to what the orders collection says. Runs after an
 * order's events are relayed (see src/events/sources.ts), so it is recomputed from scratch
 * rather than incremented: repeating it after a crash changes nothing. The write goes
 * through `CustomerService.mutate`, so segment membership follows the new summary.
 */
export class OrderSummaries {
  constructor(
    private readonly models: Models,
    private readonly customers: CustomerService,
  ) {}

  /** Refreshes every customer an order has belonged to. */
  async refreshForOrder(orderId: string): Promise<void> {
    const order = await this.models.Order.findById(orderId, { summary_customer_ids: 1 }).lean();
    for (const customerId of order?.summary_customer_ids ?? []) await this.refresh(customerId);
  }

  /**
   * Writes the summary until the stored one matches a fresh computation: a refresh racing
   * another one may write a summary computed before the other's order change, and the
   * re-check after its own write catches that.
   */
  async refresh(customerId: string): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const summary = await this.compute(customerId);
      const customer = await this.customers.find(customerId);
      if (!customer) return;
      const stored = { ...EMPTY, ...(customer.summary?.orders as Partial<OrdersSummary> | undefined) };
      if (sameSummary(stored, summary)) return;
      try {
        await this.customers.mutate(customerId, (current) => ({ set: { summary: { ...current.summary, orders: summary } } }));
      } catch (err) {
        // Deleted meanwhile: a deleted customer has no summary to keep.
        if (err instanceof AppError && err.status === 404) return;
        throw err;
      }
    }
    throw new Error(`summary.orders of customer ${customerId} kept changing; the relay will retry`);
  }

  async compute(customerId: string): Promise<OrdersSummary> {
    const { Order } = this.models;
    const match = { customer_id: customerId, status: { $in: [...SUMMARY_STATUSES] } };
    const [totals] = await Order.aggregate<{ total: number; count: number }>([{ $match: match }, { $group: { _id: null, total: { $sum: '$total_amount' }, count: { $sum: 1 } } }]);
    if (!totals || totals.count === 0) return { ...EMPTY };
    const last = await Order.findOne(match, { total_amount: 1, created_at: 1 }).sort({ created_at: -1, _id: -1 }).lean();
    return {
      total_amount: totals.total,
      total_count: totals.count,
      average_amount: Math.round(totals.total / totals.count),
      last_order_amount: last?.total_amount ?? 0,
      ...(last ? { last_order_date: last.created_at.toISOString() } : {}),
    };
  }
}
