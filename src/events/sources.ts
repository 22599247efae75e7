import type { Models } from '../models';
import type { OutboxSource } from './relay';

/** Every collection whose documents carry an outbox. */
export function outboxSources(models: Models): OutboxSource[] {
  return [
    {
      name: 'customers',
      model: models.Customer as unknown as OutboxSource['model'],
      // A deleted customer stays until its last events (segment left) are safe in `events`.
      afterRelay: async (id) => {
        await models.Customer.deleteOne({ _id: id, deleted_at: { $exists: true }, '_outbox.0': { $exists: false } });
      },
    },
  ];
}
