import type { Models } from '../models';
import { onlyDuplicateKeys } from '../db/duplicate-key';

/** One count a redemption takes part in, and which redemption documents it counts. */
interface Tally {
  id: string;
  /** The standing redemptions it counts, for a tally made before any redemption reserved in it. */
  counts: { voucher_id?: string; promotion_tier_id?: string; campaign_id?: string; customer_id?: string };
}

/** What was redeemed: a voucher or a promotion tier, by id. */
export interface RedeemedObject {
  type: 'voucher' | 'promotion_tier';
  id: string;
}

/** The counts a validation rule of this scope reads: all redemptions, and the customer's. */
export interface ScopeCounts {
  total: number;
  ofCustomer: number;
}

export interface Reservation {
  /** Counts of the voucher or tier itself. */
  object: ScopeCounts;
  campaign: ScopeCounts;
  release(): Promise<void>;
}

const COUNTED_BY = { voucher: 'voucher_id', promotion_tier: 'promotion_tier_id', campaign: 'campaign_id' } as const;

function talliesOf(
  object: RedeemedObject,
  campaignId: string,
  customerId: string | null,
): { object: Tally[]; campaign: Tally[] } {
  const of = (scope: keyof typeof COUNTED_BY, id: string): Tally[] => {
    const field = COUNTED_BY[scope];
    return [
      { id: `${scope}:${id}`, counts: { [field]: id } },
      ...(customerId ? [{ id: `${scope}:${id}:${customerId}`, counts: { [field]: id, customer_id: customerId } }] : []),
    ];
  };
  return { object: of(object.type, object.id), campaign: of('campaign', campaignId) };
}

/**
 * Atomic redemption counts for validation rules like "once per customer". A redemption
 * reserves its place (the counts returned include it) before it is written and releases
 * it if it fails; a rollback releases it too. A crash between reserving and writing leaves
 * a count one too high: a rule may then refuse one redemption too many, never allow one.
 */
export class RedemptionTallies {
  constructor(private readonly models: Models) {}

  async reserve(object: RedeemedObject, campaignId: string, customerId: string | null): Promise<Reservation> {
    const tallies = talliesOf(object, campaignId, customerId);
    const all = [...tallies.object, ...tallies.campaign];
    const counts = await Promise.all(all.map((t) => this.add(t, 1)));
    const countOf = (t: Tally | undefined) => (t ? (counts[all.indexOf(t)] ?? 0) : Number.POSITIVE_INFINITY);
    // Counts exclude this redemption, as rules read them ("less than or equal 1" = once).
    const scope = (ts: Tally[]): ScopeCounts => ({ total: countOf(ts[0]) - 1, ofCustomer: countOf(ts[1]) - 1 });
    let released = false;
    return {
      object: scope(tallies.object),
      campaign: scope(tallies.campaign),
      release: async () => {
        if (released) return;
        released = true;
        await Promise.all(all.map((t) => this.add(t, -1)));
      },
    };
  }

  /** Gives back a standing redemption's place: it was rolled back. */
  async release(object: RedeemedObject, campaignId: string, customerId: string | null): Promise<void> {
    const tallies = talliesOf(object, campaignId, customerId);
    await Promise.all([...tallies.object, ...tallies.campaign].map((t) => this.add(t, -1)));
  }

  private async add(tally: Tally, delta: 1 | -1): Promise<number> {
    const Tally = this.models.RedemptionTally;
    if (!(await Tally.exists({ _id: tally.id }))) {
      // Nothing reserved here yet, so nothing to give back: the first reservation counts the documents.
      if (delta < 0) return 0;
      // First use: start from the standing redemptions written before counts were kept.
      const count = await this.models.Redemption.countDocuments({ ...tally.counts, status: 'SUCCEEDED' });
      await Tally.create({ _id: tally.id, count }).catch((err: unknown) => {
        if (!onlyDuplicateKeys(err)) throw err;
      });
    }
    const updated = await Tally.findOneAndUpdate(
      { _id: tally.id },
      { $inc: { count: delta } },
      { returnDocument: 'after' },
    ).lean();
    return updated?.count ?? 0;
  }
}
