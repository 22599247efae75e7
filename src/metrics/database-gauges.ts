import { Gauge, type Registry } from 'prom-client';
import { countFreeCodes } from '../campaigns/code-pool';
import type { Models } from '../models';
import { FINAL_DISTRIBUTION_STATUSES } from '../models/distribution';

/** Scrapes within this long of the last read answer from it: Prometheus and a dashboard may both ask every few seconds. */
const CACHE_MS = 10_000;
/** Pools reported at most: one series per campaign an unfinished distribution draws codes from. */
const MAX_POOLS = 200;

/** Runs `read` at most once per `CACHE_MS`, whoever asks; concurrent scrapes share one read. */
function cached<T>(read: () => Promise<T>): () => Promise<T> {
  let at = 0;
  let last: Promise<T> | undefined;
  return () => {
    if (!last || Date.now() - at > CACHE_MS) {
      at = Date.now();
      last = read().catch((err: unknown) => {
        at = 0;
        throw err;
      });
    }
    return last;
  };
}

/**
 * Gauges read from the database when scraped, cached for `CACHE_MS`. Distributions are few
 * (one per campaign send or automation), so grouping them is a small scan; codes left are
 * counted per campaign on the (campaign_id, holder_id) index, only for campaigns an
 * unfinished distribution uses — never a scan of the vouchers.
 */
export function registerDatabaseGauges(
  registry: Registry,
  { Distribution, Voucher }: Pick<Models, 'Distribution' | 'Voucher'>,
) {
  const byStatus = cached(() =>
    Distribution.aggregate<{ _id: { status: string; trigger: string }; n: number }>([
      { $group: { _id: { status: '$status', trigger: '$trigger.type' }, n: { $sum: 1 } } },
    ]),
  );
  const pools = cached(async () => {
    const campaignIds = (
      await Distribution.distinct('purpose.campaign_id', {
        status: { $nin: [...FINAL_DISTRIBUTION_STATUSES] },
        'purpose.type': 'unique_code',
      })
    )
      .filter((id): id is string => typeof id === 'string')
      .slice(0, MAX_POOLS);
    return Promise.all(campaignIds.map(async (id) => ({ id, free: await countFreeCodes(Voucher, id) })));
  });

  new Gauge({
    name: 'promo_distributions',
    help: 'Distributions by status and trigger type (read on scrape, cached 10 s)',
    labelNames: ['status', 'trigger'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { _id, n } of await byStatus()) this.set({ status: _id.status, trigger: _id.trigger ?? 'unknown' }, n);
    },
  });
  new Gauge({
    name: 'promo_campaign_codes_left',
    help: 'Unpublished codes in the pool of each campaign an unfinished distribution sends from (read on scrape, cached 10 s)',
    labelNames: ['campaign_id'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { id, free } of await pools()) this.set({ campaign_id: id }, free);
    },
  });
}
