import type { Models } from '../models';
import type { OrderSummaries } from '../orders/order-summary';
import type { RedemptionSummaries } from '../redemptions/redemption-summary';
import type { OutboxSource } from './relay';

/** Every collection whose documents carry an outbox. */
export function outboxSources(models: Models): OutboxSource[] {
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

/**
 * The follow-ups that keep `summary.redemptions` and `loyalty.points` true: a redemption (or
 * its failure, or its rollback), a card's balance change or reward, a card published to a
 * customer. Added by createContext like the orders' source, for the same reason.
 */
export function addRedemptionSummaries(sources: OutboxSource[], summaries: RedemptionSummaries): void {
  const followUps: Record<string, (ids: string[]) => Promise<void>> = {
    redemptions: (ids) => summaries.refreshForRedemptions(ids),
    vouchers: (ids) => summaries.refreshForVouchers(ids),
    publications: (ids) => summaries.refreshForPublications(ids),
  };
  for (const source of sources) {
    const followUp = followUps[source.name];
    if (!followUp) continue;
    source.afterRelay = followUp;
    // A publication's follow-up is one query unless a card was published: not worth leaving to the pump.
    source.followUpByPump = source.name !== 'publications';
  }
}
