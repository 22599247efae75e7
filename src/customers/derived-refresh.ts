import type { CustomerService } from './customer-service';
import { isDomainError } from '../errors';
import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';

/** Re-reads and rewrites derived fields at most this often per refresh when their sources keep changing under them. */
const MAX_ROUNDS = 5;

/** Fields of a customer derived from other collections (orders, redemptions, cards), recomputed from scratch. */
export interface DerivedFields<T> {
  /** Names the fields in the error a refresh gives up with. */
  name: string;
  compute(customerId: string): Promise<T>;
  /** The fields to write, or null when the customer already shows `computed`. */
  change(current: CustomerDoc, computed: T): Record<string, unknown> | null;
}

/**
 * Computes the fields and writes them only if the customer is unchanged since before the
 * computation began, else starts over. A refresh racing another one may have computed
 * before the other's source change; whichever writes second then sees the first's write and
 * recomputes, so the last value written is never older than the last source change. A
 * recompute writes nothing when nothing changed, so repeating a refresh after a crash or a
 * retried relay changes nothing. The write goes through `CustomerService.mutate`, so segment
 * membership follows the new values.
 */
export async function refreshDerived<T>(
  models: Models,
  customers: CustomerService,
  customerId: string,
  fields: DerivedFields<T>,
): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const before = await models.Customer.findById(customerId).lean();
    // Deleted: a deleted customer has no summary to keep.
    if (!before || before.deleted_at) return;
    const computed = await fields.compute(customerId);
    let raced = false;
    try {
      // The first attempt writes over `before` as read; a write since then fails its version check, and the re-read shows the race.
      await customers.mutate(
        customerId,
        (current) => {
          raced = current.version !== before.version;
          const set = raced ? null : fields.change(current, computed);
          return set ? { set } : null;
        },
        before,
      );
    } catch (err) {
      if (isDomainError(err, 'not_found')) return;
      throw err;
    }
    if (!raced) return;
  }
  throw new Error(`${fields.name} of customer ${customerId} kept changing; the relay will retry`);
}
