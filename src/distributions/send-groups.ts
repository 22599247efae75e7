import type { SendResult } from '../channels/channel';
import { scrubSecrets } from '../channels/secrets';
import { engineMetrics } from '../metrics/engine-metrics';
import type { DeliveryContext, DeliveryRun, Outgoing, Pending } from './delivery-run';

/**
 * Provider calls in flight per batch for channels without a batch API: enough to hide their
 * latency, few enough that a crash leaves few messages sent but unrecorded.
 */
const PARALLEL_SENDS = 8;

/**
 * Messages per provider request for channels with a batch API (SendGrid personalizations,
 * Mailgun recipient-variables, CM multi-message, Braze attributes): a worker killed during one
 * request resends at most this many recipients of each batch in flight.
 */
export const BATCH_SEND_SIZE = 50;

/**
 * The messages to send, in the groups they are queued, sent and recorded in. A channel with a
 * batch API gets `BATCH_SEND_SIZE` per group (one provider request each); others go
 * `PARALLEL_SENDS` at a time. A worker that dies leaves at most one group per batch sent but
 * not recorded — the ones a retry sends again (or, `at_most_once`, records `unknown`).
 */
export function sendGroups(ctx: DeliveryContext, run: DeliveryRun, sending: Pending[]): Pending[][] {
  const groups: Pending[][] = [];
  run.distribution.channels.forEach((c, index) => {
    const mine = sending.filter((p) => p.index === index);
    const size = ctx.channels.get(c.type)?.sendBatch ? BATCH_SEND_SIZE : PARALLEL_SENDS;
    for (let start = 0; start < mine.length; start += size) groups.push(mine.slice(start, start + size));
  });
  return groups;
}

/** One group (all on one channel) to its provider; one result per message, in order. */
export async function sendGroup(ctx: DeliveryContext, run: DeliveryRun, outgoing: Outgoing[]): Promise<SendResult[]> {
  if (outgoing.length === 0) return [];
  const channel = ctx.channels.get(run.distribution.channels[outgoing[0]!.pending.index]!.type)!;
  const messages = outgoing.map((o) => o.message);
  const results =
    channel.sendBatch && messages.length > 1
      ? await guarded(() => channel.sendBatch!(messages), messages.length)
      : await Promise.all(messages.map(async (m) => (await guarded(async () => [await channel.send(m)], 1))[0]!));
  // Error texts are stored and logged: a second guard against an adapter quoting a credential.
  const answered = messages.map((m, i): SendResult => {
    const r = results[i] ?? { status: 'transient', error: 'the channel gave no result for this message' };
    return m.account && r.status !== 'sent' ? { ...r, error: scrubSecrets(r.error, m.account.credentials) } : r;
  });
  engineMetrics.messagesSent(channel.type, answered);
  return answered;
}

/** Adapters map providers' answers; a throw is a bug or the network, worth a retry. */
export async function guarded(call: () => Promise<SendResult[]>, count: number): Promise<SendResult[]> {
  try {
    return await call();
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return Array.from({ length: count }, () => ({ status: 'transient', error }));
  }
}
