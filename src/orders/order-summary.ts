import { inParallel } from '../concurrency';
import type { CustomerService } from '../customers/customer-service';
import { refreshDerived } from '../customers/derived-refresh';
import type { Models } from '../models';
import type { OrderStatus } from '../models/order';

/**
 * Orders that count towards a customer's `summary.orders`: those the customer paid for.
 * CREATED is a cart that may never be paid and CANCELED was called off, so neither says
 * anything about what the customer spent; FULFILLED comes after PAID and still counts.
 */
export const SUMMARY_STATUSES: readonly OrderStatus[] = ['PAID', 'FULFILLED'];

/** Customers refreshed at once for a batch of orders. */
const PARALLEL_REFRESHES = 4;

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
  return (['total_amount', 'total_count', 'average_amount', 'last_order_amount', 'last_order_date'] as const).every(
    (k) => a[k] === b[k],
  );
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

  /**
   * Refreshes every customer these orders have belonged to, each once however many of its
   * orders are among them: each refresh starts after every one of them was written.
   */
  async refreshForOrders(orderIds: string[]): Promise<void> {
    const orders = await this.models.Order.find({ _id: { $in: orderIds } }, { summary_customer_ids: 1 }).lean();
    const customerIds = [...new Set(orders.flatMap((o) => o.summary_customer_ids ?? []))];
    await inParallel(customerIds, PARALLEL_REFRESHES, (customerId) => this.refresh(customerId));
  }

  refresh(customerId: string): Promise<void> {
    return refreshDerived(this.models, this.customers, customerId, {
      name: 'summary.orders',
      compute: (id) => this.compute(id),
      change: (current, summary) =>
        sameSummary({ ...EMPTY, ...(current.summary?.orders as Partial<OrdersSummary> | undefined) }, summary)
          ? null
          : { summary: { ...current.summary, orders: summary } },
    });
  }

  /**
   * One pass over the customer's orders (served by the `customer_id` index, on the embedded server too),
   * summed here: a plain find costs the embedded server less than an aggregation pipeline.
   */
  async compute(customerId: string): Promise<OrdersSummary> {
    const orders = await this.models.Order.find(
      { customer_id: customerId, status: { $in: [...SUMMARY_STATUSES] } },
      { total_amount: 1, created_at: 1 },
    ).lean();
    if (orders.length === 0) return { ...EMPTY };
    let total = 0;
    let last = orders[0]!;
    for (const order of orders) {
      total += order.total_amount ?? 0;
      const newer = order.created_at.getTime() - last.created_at.getTime() || (order._id > last._id ? 1 : -1);
      if (newer > 0) last = order;
    }
    return {
      total_amount: total,
      total_count: orders.length,
      average_amount: Math.round(total / orders.length),
      last_order_amount: last.total_amount ?? 0,
      last_order_date: last.created_at.toISOString(),
    };
  }
}
