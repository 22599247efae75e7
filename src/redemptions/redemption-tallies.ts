import type { Models } from '../models';

/** One count a redemption takes part in, and which redemption documents it counts. */
interface Tally {
  id: string;
  /** The standing redemptions it counts, for a tally made before any redemption reserved in it. */
  counts: { voucher_id?: string; campaign_id?: string; customer_id?: string };
}

/** The counts a validation rule of this scope reads: all redemptions, and the customer's. */
export interface ScopeCounts {
  total: number;
  ofCustomer: number;
}

export interface Reservation {
  voucher: ScopeCounts;
  campaign: ScopeCounts;
  release(): Promise<void>;
}

function talliesOf(voucherId: string, campaignId: string, customerId: string | null): { voucher: Tally[]; campaign: Tally[] } {
  const of = (scope: 'voucher' | 'campaign', id: string): Tally[] => {
    const field = scope === 'voucher' ? 'voucher_id' : 'campaign_id';
    return [
      { id: `${scope}:${id}`, counts: { [field]: id } },
      ...(customerId ? [{ id: `${scope}:${id}:${customerId}`, counts: { [field]: id, customer_id: customerId } }] : []),
    ];
  };
  return { voucher: of('voucher', voucherId), campaign: of('campaign', campaignId) };
}

/**
 * Atomic redemption counts for validation rules like "once per customer". A redemption
 * reserves its place (the counts returned include it) before it is written and releases
 * it if it fails; a rollback releases it too. A crash between reserving and writing leaves
 * a count one too high: a rule may then refuse one redemption too many, never allow one.
 */
export class RedemptionTallies {
  constructor(private readonly models: Models) {}

  async reserve(voucherId: string, campaignId: string, customerId: string | null): Promise<Reservation> {
    const tallies = talliesOf(voucherId, campaignId, customerId);
    const all = [...tallies.voucher, ...tallies.campaign];
    const counts = await Promise.all(all.map((t) => this.add(t, 1)));
    const countOf = (t: Tally | undefined) => (t ? (counts[all.indexOf(t)] ?? 0) : Number.POSITIVE_INFINITY);
    // Counts exclude this redemption, as rules read them ("less than or equal 1" = once).
    const scope = (ts: Tally[]): ScopeCounts => ({ total: countOf(ts[0]) - 1, ofCustomer: countOf(ts[1]) - 1 });
    let released = false;
    return {
      voucher: scope(tallies.voucher),
      campaign: scope(tallies.campaign),
      release: async () => {
        if (released) return;
        released = true;
        await Promise.all(all.map((t) => this.add(t, -1)));
      },
    };
  }

  /** Gives back a standing redemption's place: it was rolled back. */
  async release(voucherId: string, campaignId: string, customerId: string | null): Promise<void> {
    const tallies = talliesOf(voucherId, campaignId, customerId);
    await Promise.all([...tallies.voucher, ...tallies.campaign].map((t) => this.add(t, -1)));
  }

  private async add(tally: Tally, delta: 1 | -1): Promise<number> {
    const Tally = this.models.RedemptionTally;
    if (!(await Tally.exists({ _id: tally.id }))) {
      // Nothing reserved here yet, so nothing to give back: the first reservation counts the documents.
      if (delta < 0) return 0;
      // First use: start from the standing redemptions written before counts were kept.
      const count = await this.models.Redemption.countDocuments({ ...tally.counts, status: 'SUCCEEDED' });
      await Tally.create({ _id: tally.id, count }).catch((err: { code?: number }) => {
        if (err.code !== 11000) throw err;
      });
    }
    const updated = await Tally.findOneAndUpdate({ _id: tally.id }, { $inc: { count: delta } }, { returnDocument: 'after' }).lean();
    return updated?.count ?? 0;
  }
}
