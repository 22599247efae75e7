import type { Models } from '../models';
import type { OrderSummaries } from '../orders/order-summary';
import type { RedemptionSummaries } from '../redemptions/redemption-summary';
import type { OutboxSource } from './relay';

/** The services whose follow-ups keep customers' derived fields true after their sources' events are out. */
export interface OutboxFollowUps {
  orderSummaries: OrderSummaries;
  redemptionSummaries: RedemptionSummaries;
}

/**
 * Every collection whose documents carry an outbox, with its follow-up work. The follow-ups
 * need the customer service, itself built on EventFlow, so createContext builds this list once
 * both exist and hands it to EventFlow.
 *
 * `followUpByPump`: a costly follow-up (several queries) that an API process leaves to the
 * pump's process (see EventFlow). A publication's is one query unless a card was published.
 */
export function outboxSources(
  models: Models,
  { orderSummaries, redemptionSummaries }: OutboxFollowUps,
): OutboxSource[] {
  return [
    {
      name: 'customers',
      model: models.Customer as unknown as OutboxSource['model'],
      // A deleted customer stays until its last events (segment left) are safe in `events`.
      afterRelay: async (ids) => {
        await models.Customer.deleteMany({
          _id: { $in: ids },
          deleted_at: { $exists: true },
          '_outbox.0': { $exists: false },
        });
      },
    },
    // Its follow-up refreshes `summary.orders` of the order's customers.
    {
      name: 'orders',
      model: models.Order as unknown as OutboxSource['model'],
      afterRelay: (ids) => orderSummaries.refreshForOrders(ids),
      followUpByPump: true,
    },
    // The follow-ups below keep `summary.redemptions` and `loyalty.points` true: a redemption (or
    // its failure, or its rollback), a card's balance change or reward, a card published to a customer.
    {
      name: 'publications',
      model: models.Publication as unknown as OutboxSource['model'],
      afterRelay: (ids) => redemptionSummaries.refreshForPublications(ids),
    },
    {
      name: 'redemptions',
      model: models.Redemption as unknown as OutboxSource['model'],
      afterRelay: (ids) => redemptionSummaries.refreshForRedemptions(ids),
      followUpByPump: true,
    },
    // Balance changes and reward redemptions raise their events in the voucher's outbox.
    {
      name: 'vouchers',
      model: models.Voucher as unknown as OutboxSource['model'],
      afterRelay: (ids) => redemptionSummaries.refreshForVouchers(ids),
      followUpByPump: true,
    },
  ];
}
