import type { AppContext } from '../src/context';
import { messageId } from '../src/models/distribution-message';

/** Customers handled at once, like the engine's batches in flight × customers per batch. */
const CONCURRENCY = 32;

/**
 * The baseline a distribution's throughput is compared with: the same database work (a code
 * publication, a message record written queued then sent) and the same webhook call per
 * customer, by a plain loop with bounded concurrency — no Temporal, no batches, no retries.
 */
export async function runBaseline(ctx: AppContext, input: { customerIds: string[]; campaignId: string; url: string }): Promise<{ ms: number; sent: number }> {
  const webhook = ctx.channels.get('webhook');
  if (!webhook) throw new Error('no webhook channel');
  const customers = new Map((await ctx.models.Customer.find({ _id: { $in: input.customerIds } }).lean()).map((c) => [c._id, c]));
  const started = Date.now();
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < input.customerIds.length) {
      const customerId = input.customerIds[next++]!;
      const customer = customers.get(customerId);
      if (!customer) continue;
      const published = await ctx.publications.publish({ campaign: input.campaignId, customer: customerId, source_id: `baseline:${customerId}`, channel: 'baseline' });
      const id = messageId('baseline', 'manual', customerId, 0);
      await ctx.models.DistributionMessage.updateOne(
        { _id: id, status: 'queued' },
        { $setOnInsert: { distribution_id: 'baseline', run: 'manual', customer_id: customerId, channel_index: 0, channel_type: 'webhook' }, $set: { voucher_code: published.voucher.code }, $inc: { attempts: 1 } },
        { upsert: true },
      );
      const result = await webhook.send({ id, customer, to: input.url, text: `Hi ${customer.name ?? ''}, your code is ${published.voucher.code}`, variables: { voucher: { code: published.voucher.code } }, settings: { url: input.url } });
      if (result.status === 'sent') {
        await ctx.models.DistributionMessage.updateOne({ _id: id, status: 'queued' }, { $set: { status: 'sent', sent_at: new Date() } });
        sent += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ms: Date.now() - started, sent };
}
