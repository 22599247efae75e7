import type { Models } from '../models';
import type { OrderSummaries } from '../orders/order-summary';
import type { OutboxSource } from './relay';

/** Every collection whose documents carry an outbox. */
export function outboxSources(models: Models): OutboxSource[] {
  return [
    {
      name: 'customers',
      model: models.Customer as unknown as OutboxSource['model'],
      // A deleted customer stays until its last events (segment left) are safe in `events`.
      afterRelay: async (ids) => {
        await models.Customer.deleteMany({ _id: { $in: ids }, deleted_at: { $exists: true }, '_outbox.0': { $exists: false } });
      },
    },
    { name: 'publications', model: models.Publication as unknown as OutboxSource['model'] },
    { name: 'redemptions', model: models.Redemption as unknown as OutboxSource['model'] },
    // Balance changes and reward redemptions raise their events in the voucher's outbox.
    { name: 'vouchers', model: models.Voucher as unknown as OutboxSource['model'] },
  ];
}

/**
 * Orders' outbox. Its follow-up refreshes `summary.orders` of the order's customers, which
 * needs the customer service, itself built on EventFlow; so createContext adds this source
 * once both exist.
 */
export function orderOutboxSource(models: Models, summaries: OrderSummaries): OutboxSource {
  return {
    name: 'orders',
    model: models.Order as unknown as OutboxSource['model'],
    afterRelay: (ids) => summaries.refreshForOrders(ids),
    followUpByPump: true,
  };
}
