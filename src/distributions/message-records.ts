import type { mongo } from 'mongoose';
import type { DistributionMessageDoc } from '../models/distribution-message';
import type { SendResult } from '../channels/channel';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { engineMetrics } from '../metrics/engine-metrics';
import type { Code, DeliveryContext, DeliveryRun, Outgoing, Pending, Tally } from './delivery-run';

/** Records messages that will not be sent; a record a concurrent attempt already made final wins. */
export async function recordFinal(
  ctx: DeliveryContext,
  run: DeliveryRun,
  pending: Pending[],
  tally: Tally,
): Promise<void> {
  const ops = pending.flatMap((p) => {
    if (p.decision.send) return [];
    const { status, reason } = p.decision;
    return [
      {
        _id: p.id,
        update: {
          $setOnInsert: { ...base(run, p), attempts: 0 },
          $set: { status, reason, ...(p.error ? { error: p.error } : {}) },
        },
      },
    ];
  });
  const collided = await upsertQueued(ctx, ops);
  await countCollided(ctx, collided, tally);
  pending.forEach((p) => {
    if (!p.decision.send && !collided.includes(p.id)) tally.counts[p.decision.status] += 1;
  });
  engineMetrics.decisionsRecorded(run.distribution.channels, pending, collided);
}

/**
 * Writes every message `queued` before its provider is called: a crash from then on resends
 * with the same id (the provider's idempotency key) instead of forgetting that a send may
 * have happened. `outcomes` (the previous group's) ride along in the same bulk write. Returns
 * the messages still to send — not those a concurrent attempt finished.
 */
export async function queue(
  ctx: DeliveryContext,
  run: DeliveryRun,
  sending: Pending[],
  codes: Map<string, Code>,
  tally: Tally,
  outcomes: MessageWrite[],
): Promise<Pending[]> {
  const collided = await upsertQueued(
    ctx,
    sending.map((p) => {
      const code = codes.get(p.customerId);
      return {
        _id: p.id,
        update: {
          $setOnInsert: base(run, p),
          $set: {
            in_flight: true,
            ...(code
              ? {
                  voucher_code: code.voucher.code,
                  ...(code.publicationId ? { publication_id: code.publicationId } : {}),
                }
              : {}),
          },
          $inc: { attempts: 1 },
        },
      };
    }),
    outcomes,
  );
  await countCollided(ctx, collided, tally);
  return sending.filter((p) => !collided.includes(p.id));
}

export type MessageWrite = mongo.AnyBulkWriteOperation<DistributionMessageDoc>;

/**
 * Message records are written on the native driver: these writes are most of a batch's
 * database work, and mongoose's casting and cloning of each update cost more CPU than the
 * write. So the timestamps mongoose would add are added here.
 */
export async function writeMessages(ctx: DeliveryContext, ops: MessageWrite[]): Promise<void> {
  await (ctx.models.DistributionMessage.collection as unknown as mongo.Collection<DistributionMessageDoc>).bulkWrite(
    ops,
    { ordered: false },
  );
}

/**
 * Upserts records still `queued` (or new), with `also` (updates that cannot collide) in the
 * same bulk write; the ids whose record was already final (the upsert hit its key).
 */
export async function upsertQueued(
  ctx: DeliveryContext,
  ops: Array<{
    _id: string;
    update: {
      $setOnInsert: Partial<DistributionMessageDoc>;
      $set: Partial<DistributionMessageDoc>;
      $inc?: { attempts: number };
    };
  }>,
  also: MessageWrite[] = [],
): Promise<string[]> {
  if (ops.length === 0 && also.length === 0) return [];
  const now = new Date();
  const upserts = ops.map(
    ({ _id, update }): MessageWrite => ({
      updateOne: {
        filter: { _id, status: 'queued' },
        update: {
          ...update,
          $setOnInsert: { ...update.$setOnInsert, created_at: now },
          $set: { ...update.$set, updated_at: now },
        },
        upsert: true,
      },
    }),
  );
  try {
    await writeMessages(ctx, [...upserts, ...also]);
    return [];
  } catch (err) {
    if (!onlyDuplicateKeys(err)) throw err;
    const writeErrors = (err as { writeErrors?: Array<{ index: number }> | { index: number } }).writeErrors;
    // Only the upserts, first in the write, can hit a key.
    return (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []).flatMap((e) =>
      e.index < ops.length ? [ops[e.index]!._id] : [],
    );
  }
}

export async function countCollided(ctx: DeliveryContext, ids: string[], tally: Tally): Promise<void> {
  if (ids.length === 0) return;
  for (const m of await ctx.models.DistributionMessage.find({ _id: { $in: ids } }, { status: 1 }).lean())
    tally.counts[m.status] += 1;
}

/** `sent` only after the provider accepted; a transient failure stays `queued` for the retry. The writes, counted. */
export function outcomeWrites(outgoing: Outgoing[], results: SendResult[], tally: Tally): MessageWrite[] {
  const now = new Date();
  return outgoing.map(({ pending: p }, i): MessageWrite => {
    const result = results[i]!;
    const filter = { _id: p.id, status: 'queued' as const };
    switch (result.status) {
      case 'sent':
        tally.counts.sent += 1;
        return {
          updateOne: {
            filter,
            update: {
              $set: {
                status: 'sent',
                sent_at: now,
                updated_at: now,
                ...(result.providerMessageId ? { provider_message_id: result.providerMessageId } : {}),
              },
              $unset: { error: 1, in_flight: 1 },
            },
          },
        };
      case 'permanent':
        tally.counts.failed += 1;
        return {
          updateOne: {
            filter,
            update: {
              $set: { status: 'failed', reason: 'permanent_error', error: result.error, updated_at: now },
              $unset: { in_flight: 1 },
            },
          },
        };
      default:
        // transient: stays queued for the retry.
        tally.counts.queued += 1;
        tally.transient(result.error, result.retryAfterMs);
        return {
          updateOne: { filter, update: { $set: { error: result.error, updated_at: now }, $unset: { in_flight: 1 } } },
        };
    }
  });
}

export function base(
  run: DeliveryRun,
  p: Pending,
): Pick<DistributionMessageDoc, 'distribution_id' | 'run' | 'customer_id' | 'channel_index' | 'channel_type'> {
  return {
    distribution_id: run.distribution._id,
    run: run.run,
    customer_id: p.customerId,
    channel_index: p.index,
    channel_type: run.distribution.channels[p.index]!.type,
  };
}
