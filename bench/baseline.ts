import http from 'node:http';
import type { AppContext } from '../src/context';
import { messageId } from '../src/models/distribution-message';

/** Customers per batch and batches in flight, as the engine runs a manual distribution. */
const BATCH = 200;
const IN_FLIGHT = 4;

export interface BaselineInput {
  customerIds: string[];
  /** A STATIC campaign with a fresh pool of at least `customerIds.length` codes, seq 1…N. */
  campaignId: string;
  url: string;
}

export interface BaselineResult {
  ms: number;
  sent: number;
  /** Customers whose keyed claim found no free code, and POSTs the receiver did not accept: both 0 in a sound run. */
  unclaimed: number;
  refused: number;
}

/**
 * The limit a distribution's throughput is compared with: the least work that still sends each
 * customer one unique code with a record that survives a crash, done in bulk on the native
 * driver — per batch of 200, fetch the customers by id, claim their codes with one bulk write
 * of keyed claims (by `{campaign_id, seq}`, like the engine) and read them back by claim, insert
 * the `queued` records, POST the webhooks over keep-alive, mark the records `sent` in one
 * update — 4 batches in flight. Same receiver, database and collections as the engine; no
 * Temporal, no consent check, no template, no events, no retries.
 */
export async function runBaseline(ctx: AppContext, input: BaselineInput): Promise<BaselineResult> {
  const customers = ctx.models.Customer.collection;
  const vouchers = ctx.models.Voucher.collection;
  const messages = ctx.models.DistributionMessage.collection;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(input.url);
  const batches: string[][] = [];
  for (let i = 0; i < input.customerIds.length; i += BATCH) batches.push(input.customerIds.slice(i, i + BATCH));

  const post = (id: string, body: string) =>
    new Promise<boolean>((resolve) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'Idempotency-Key': id,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve((res.statusCode ?? 0) < 300));
        },
      );
      req.on('error', () => resolve(false));
      req.end(body);
    });

  const runBatch = async (index: number, ids: string[]): Promise<number> => {
    const found = await customers.find({ _id: { $in: ids } } as never, { projection: { name: 1, email: 1 } }).toArray();
    const now = new Date();
    const claims = found.map((c, i) => ({
      customerId: String(c._id),
      seq: index * BATCH + i + 1,
      claim: `baseline:${String(c._id)}`,
    }));
    await vouchers.bulkWrite(
      claims.map(({ customerId, seq, claim }) => ({
        updateOne: {
          filter: { campaign_id: input.campaignId, seq, holder_id: { $exists: false }, active: true },
          update: { $set: { holder_id: customerId, publication_id: claim, published_at: now } },
        },
      })),
      { ordered: false },
    );
    const codes = new Map(
      (
        await vouchers
          .find({ publication_id: { $in: claims.map((c) => c.claim) } }, { projection: { code: 1, holder_id: 1 } })
          .toArray()
      ).map((v) => [String(v.holder_id), String(v.code)]),
    );
    const byId = new Map(found.map((c) => [String(c._id), c]));
    const records = claims.flatMap(({ customerId }) => {
      const code = codes.get(customerId);
      return code
        ? [
            {
              _id: messageId('baseline', 'manual', customerId, 0),
              distribution_id: 'baseline',
              run: 'manual',
              customer_id: customerId,
              channel_index: 0,
              channel_type: 'webhook',
              status: 'queued',
              voucher_code: code,
              attempts: 1,
              created_at: now,
              updated_at: now,
            },
          ]
        : [];
    });
    unclaimed += claims.length - records.length;
    if (records.length === 0) return 0;
    await messages.insertMany(records as never[], { ordered: false });
    const accepted = await Promise.all(
      records.map((r) =>
        post(
          r._id,
          JSON.stringify({
            id: r._id,
            customer: { id: r.customer_id, name: byId.get(r.customer_id)?.name ?? null },
            text: `Hi ${String(byId.get(r.customer_id)?.name ?? '')}, your code is ${r.voucher_code}`,
          }),
        ),
      ),
    );
    const sentIds = records.filter((_, i) => accepted[i]).map((r) => r._id);
    refused += records.length - sentIds.length;
    if (sentIds.length > 0)
      await messages.updateMany({ _id: { $in: sentIds } } as never, { $set: { status: 'sent', sent_at: new Date() } });
    return sentIds.length;
  };

  let unclaimed = 0;
  let refused = 0;
  const started = Date.now();
  let next = 0;
  let sent = 0;
  const lane = async () => {
    while (next < batches.length) {
      const index = next++;
      // Not `sent += await …`: that reads `sent` before the await and drops the other lanes' counts.
      const n = await runBatch(index, batches[index]!);
      sent += n;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const ms = Date.now() - started;
  agent.destroy();
  return { ms, sent, unclaimed, refused };
}
