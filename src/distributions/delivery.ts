import type { mongo } from 'mongoose';
import type { AppContext } from '../context';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { DistributionDoc } from '../models/distribution';
import { messageId, type DistributionMessageDoc, type MessageStatus } from '../models/distribution-message';
import type { DomainEvent } from '../models/domain-event';
import { DomainError } from '../errors';
import { renderMessage } from '../templates/render';
import { messageVariables, type VoucherLike } from '../templates/message-variables';
import type { ChannelAccount, OutgoingMessage, SendResult } from '../channels/channel';
import { scrubSecrets } from '../channels/secrets';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { engineMetrics } from '../metrics/engine-metrics';
import { promotionTierForMessage } from '../promotions/tier-variables';
import { decideChannel, type ChannelDecision } from './consent-check';

/** What a delivery run needs: the data, the channels and their accounts, code publication. */
export type DeliveryContext = Pick<AppContext, 'models' | 'channels' | 'channelAccounts' | 'publications' | 'settings'>;

/**
 * The per-customer pipeline both manual batches and event deliveries run — consent check →
 * code publication (when the purpose needs one) → render → send on each channel → message
 * record — done a whole batch at a time, so each step costs a few bulk round trips rather
 * than a few per customer. Idempotent: a message already `sent`, `skipped` or `failed` is
 * left alone, publications are keyed so a retry gets the same code.
 */
export interface DeliveryRun {
  distribution: DistributionDoc;
  /** `manual`, or the id of the event that fired an automatic distribution. */
  run: string;
  customerIds: string[];
  /** The event that fired it (automatic): its voucher, order, … feed the message variables. */
  event?: Pick<DomainEvent, 'type' | 'data'> & { _id: string };
  /**
   * Aborted when Temporal gave this attempt up (a late heartbeat) and may already run another:
   * no further message is started, so two attempts never send the same queued message at once.
   */
  signal?: AbortSignal;
  /**
   * Asked before each group of sends: true once the operator stopped the run, so a cancel
   * stops the batches in flight after the group they are sending, not after the whole batch.
   */
  stopRequested?: () => Promise<boolean>;
}

export interface DeliveryOutcome {
  counts: Record<MessageStatus, number>;
  /** A STATIC campaign's pool ran out: the distribution must stop; a manual run's customers left without a code are skipped `pool_exhausted`. */
  poolExhausted?: { campaignId: string };
  /** Messages left `queued` after a transient error: retry the run, not before `afterMs` when given. */
  retry?: { count: number; afterMs?: number; lastError: string };
  /** The run was stopped part-way (`stopRequested`): customers not reached yet have no records. */
  stopped?: true;
}

/**
 * Provider calls in flight per batch for channels without a batch API: enough to hide their
 * latency, few enough that a crash leaves few messages sent but unrecorded.
 */
const PARALLEL_SENDS = 8;

const FINAL: ReadonlySet<MessageStatus> = new Set(['sent', 'skipped', 'failed', 'unknown']);

/**
 * Messages per provider request for channels with a batch API (SendGrid personalizations,
 * Mailgun recipient-variables, CM multi-message, Braze attributes): a worker killed during one
 * request resends at most this many recipients of each batch in flight.
 */
export const BATCH_SEND_SIZE = 50;

interface Code {
  voucher: VoucherLike;
  campaign?: CampaignDoc;
  publicationId?: string;
}

/** What an earlier attempt recorded of a message. */
type Known = Pick<DistributionMessageDoc, 'status' | 'in_flight'>;

/** A message of this run not final yet: whose, on which channel, where it goes (or why not). */
interface Pending {
  id: string;
  customerId: string;
  index: number;
  decision: ChannelDecision;
  /** Why the step that failed it failed, for the record (e.g. the campaign's refusal). */
  error?: string;
}

/** A message about to go: queued, rendered, waiting for the provider's answer. */
interface Outgoing {
  pending: Pending;
  message: OutgoingMessage;
}

/** Each account-taking channel's decrypted account, by channel index, or why it has none. */
type AccountOrWhyNot = ChannelAccount | { unusable: 'channel_account_missing' | 'channel_credentials_undecryptable' };
type Accounts = Map<number, AccountOrWhyNot>;

/** What a run loads once for all its customers. */
interface Shared {
  accounts: Accounts;
  promotionTier?: Record<string, unknown>;
}

/** Once per run, so a batch decrypts each account once, not per message. */
async function loadAccounts(ctx: DeliveryContext, distribution: DistributionDoc): Promise<Accounts> {
  const needing = distribution.channels.flatMap((c, index) => {
    const spec = ctx.channels.get(c.type)?.account;
    // A channel whose account is optional and not named sends without one.
    return spec && (c.channel_id || !spec.optional) ? [{ c, index }] : [];
  });
  if (needing.length === 0) return new Map();
  const found = await ctx.channelAccounts.forDelivery(needing.flatMap(({ c }) => (c.channel_id ? [c.channel_id] : [])));
  return new Map(
    needing.map(({ c, index }): [number, AccountOrWhyNot] => {
      const a = c.channel_id ? found.get(c.channel_id) : undefined;
      if (!a || a.type !== c.type) return [index, { unusable: 'channel_account_missing' }];
      return [index, a.account ?? { unusable: 'channel_credentials_undecryptable' }];
    }),
  );
}

function usable(a: AccountOrWhyNot | undefined): ChannelAccount | undefined {
  return a && !('unusable' in a) ? a : undefined;
}

class Tally {
  readonly counts: Record<MessageStatus, number> = { queued: 0, sent: 0, skipped: 0, failed: 0, unknown: 0 };
  poolExhausted?: { campaignId: string };
  retry?: { count: number; afterMs?: number; lastError: string };
  stopped?: true;

  transient(error: string, afterMs: number | undefined): void {
    const r = this.retry ?? { count: 0, lastError: error };
    r.count += 1;
    r.lastError = error;
    if (afterMs !== undefined) r.afterMs = Math.max(r.afterMs ?? 0, afterMs);
    this.retry = r;
  }

  outcome(): DeliveryOutcome {
    return {
      counts: this.counts,
      ...(this.poolExhausted ? { poolExhausted: this.poolExhausted } : {}),
      ...(this.retry ? { retry: this.retry } : {}),
      ...(this.stopped ? { stopped: this.stopped } : {}),
    };
  }
}

export async function deliverToCustomers(ctx: DeliveryContext, run: DeliveryRun): Promise<DeliveryOutcome> {
  const { distribution } = run;
  const customerIds = [...new Set(run.customerIds)];
  const tally = new Tally();
  if (customerIds.length === 0 || distribution.channels.length === 0) return tally.outcome();

  const ids = customerIds.flatMap((c) =>
    distribution.channels.map((_, i) => messageId(distribution._id, run.run, c, i)),
  );
  const [customerDocs, knownDocs, accounts, promotionTier] = await Promise.all([
    ctx.models.Customer.find({ _id: { $in: customerIds } }).lean(),
    ctx.models.DistributionMessage.find({ _id: { $in: ids } }, { status: 1, in_flight: 1 }).lean(),
    loadAccounts(ctx, distribution),
    distribution.purpose.type === 'promotion'
      ? promotionTierForMessage(ctx, distribution.purpose.promotion_tier_id)
      : undefined,
  ]);
  const customers = new Map(customerDocs.map((c) => [c._id, c as CustomerDoc]));
  const known = new Map(knownDocs.map((m) => [m._id, m]));
  const shared: Shared = { accounts, ...(promotionTier ? { promotionTier } : {}) };

  let pending = customerIds.flatMap((customerId) =>
    decide(ctx, run, customerId, customers.get(customerId), known, shared, tally),
  );
  const codes = await codesFor(ctx, run, pending, customers, tally);
  if (tally.poolExhausted) {
    const short = (p: Pending) => p.decision.send && !codes.has(p.customerId);
    // A manual run records whom the pool ran out for (the distribution stops; a resume after a
    // refill reaches them). An event's run keeps no record: its delivery workflow, taking over
    // from the inline attempt, must find the pool empty again to stop the distribution.
    if (run.run === 'manual')
      for (const p of pending) if (short(p)) p.decision = { send: false, status: 'skipped', reason: 'pool_exhausted' };
    pending = pending.filter((p) => !short(p));
  }

  await recordFinal(
    ctx,
    run,
    pending.filter((p) => !p.decision.send),
    tally,
  );
  // Each group's outcomes go out in the same bulk write that queues the next group: one round
  // trip per group instead of two. Still written before the next group is sent, so a crash
  // leaves at most one group per batch sent but unrecorded, as before; written in `finally`
  // when the run ends early (stopped, aborted), so what was sent is recorded.
  let outcomes: MessageWrite[] = [];
  try {
    for (const group of sendGroups(
      ctx,
      run,
      pending.filter((p) => p.decision.send),
    )) {
      run.signal?.throwIfAborted();
      if (await run.stopRequested?.()) {
        tally.stopped = true;
        break;
      }
      const queued = await queue(ctx, run, group, codes, tally, outcomes);
      outcomes = [];
      const outgoing = await Promise.all(
        queued.map((p) => compose(ctx, run, customers.get(p.customerId)!, p, codes.get(p.customerId), shared)),
      );
      outcomes = outcomeWrites(outgoing, await sendGroup(ctx, run, outgoing), tally);
    }
  } finally {
    if (outcomes.length > 0) await writeMessages(ctx, outcomes);
  }
  run.signal?.throwIfAborted();
  return tally.outcome();
}

/** A customer's messages not final yet, with what to do on each channel; final ones are counted. */
function decide(
  ctx: DeliveryContext,
  run: DeliveryRun,
  customerId: string,
  customer: CustomerDoc | undefined,
  known: Map<string, Known>,
  shared: Shared,
  tally: Tally,
): Pending[] {
  const { distribution } = run;
  return distribution.channels.flatMap((channel, index): Pending[] => {
    const id = messageId(distribution._id, run.run, customerId, index);
    const status = known.get(id)?.status;
    if (status && FINAL.has(status)) {
      tally.counts[status] += 1;
      return [];
    }
    // An earlier attempt queued it for the provider and recorded no outcome: it may have gone out.
    if (known.get(id)?.in_flight && channel.delivery === 'at_most_once')
      return [
        { id, customerId, index, decision: { send: false, status: 'unknown', reason: 'send_may_have_happened' } },
      ];
    let decision: ChannelDecision =
      !customer || customer.deleted_at
        ? { send: false, status: 'skipped', reason: 'customer_not_found' }
        : decideChannel(customer, distribution.consents, ctx.channels.get(channel.type), channel.settings ?? {});
    // Its account was deleted or cannot be decrypted: no code is published for a message that cannot go.
    const account = shared.accounts.get(index);
    if (decision.send && account && 'unusable' in account)
      decision = { send: false, status: 'failed', reason: account.unusable };
    if (decision.send && distribution.purpose.type === 'promotion' && !shared.promotionTier)
      decision = { send: false, status: 'failed', reason: 'promotion_tier_not_found' };
    return [{ id, customerId, index, decision }];
  });
}

/**
 * The code of every customer with a message to send, when the purpose needs one: one
 * publication per (distribution, run, customer), so a retry gets the same code. A campaign
 * that refuses for good (disabled, deleted) fails those messages; anything else is retried.
 */
async function codesFor(
  ctx: DeliveryContext,
  run: DeliveryRun,
  pending: Pending[],
  customers: Map<string, CustomerDoc>,
  tally: Tally,
): Promise<Map<string, Code>> {
  const { distribution } = run;
  const codes = new Map<string, Code>();
  if (distribution.purpose.type !== 'unique_code') return codes;
  const campaignId = distribution.purpose.campaign_id;
  const needing = [...new Set(pending.filter((p) => p.decision.send).map((p) => p.customerId))];
  if (needing.length === 0) return codes;

  const fromEvent = await codeFromEvent(ctx, run, campaignId);
  if (fromEvent) {
    for (const customerId of needing) codes.set(customerId, fromEvent);
    return codes;
  }
  try {
    const { campaign, published, exhausted } = await ctx.publications.publishBatch(
      campaignId,
      needing.map((customerId) => ({
        customer: customers.get(customerId)!,
        source_id: `distribution:${distribution._id}:${run.run}:${customerId}`,
      })),
      'distribution',
    );
    for (const [customerId, { voucher, publication }] of published)
      codes.set(customerId, { voucher, campaign, publicationId: publication._id });
    if (exhausted) tally.poolExhausted = { campaignId };
    else failSending(pending, (p) => !codes.has(p.customerId), 'publication_failed');
  } catch (err) {
    if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'conflict') throw err;
    failSending(pending, () => true, 'publication_failed', err.message);
  }
  return codes;
}

/**
 * A distribution fired by a publication of its own campaign sends that code: publishing
 * another one would raise another voucher.published and fire it again, forever.
 */
async function codeFromEvent(ctx: DeliveryContext, run: DeliveryRun, campaignId: string): Promise<Code | undefined> {
  const data = (run.event?.data ?? {}) as {
    voucher?: { id?: string; code?: string };
    campaign?: { id?: string };
    publication?: { id?: string };
  };
  if (run.distribution.trigger.type !== 'voucher_published' || data.campaign?.id !== campaignId || !data.voucher?.code)
    return undefined;
  const [doc, campaign] = await Promise.all([
    data.voucher.id ? ctx.models.Voucher.findById(data.voucher.id).lean() : null,
    ctx.models.Campaign.findById(campaignId).lean(),
  ]);
  const voucher: VoucherLike = doc ?? { ...(data.voucher.id ? { id: data.voucher.id } : {}), code: data.voucher.code };
  return {
    voucher,
    ...(campaign ? { campaign } : {}),
    ...(data.publication?.id ? { publicationId: data.publication.id } : {}),
  };
}

function failSending(pending: Pending[], which: (p: Pending) => boolean, reason: string, error?: string): void {
  for (const p of pending) {
    if (!p.decision.send || !which(p)) continue;
    p.decision = { send: false, status: 'failed', reason };
    if (error) p.error = error;
  }
}

/** Records messages that will not be sent; a record a concurrent attempt already made final wins. */
async function recordFinal(ctx: DeliveryContext, run: DeliveryRun, pending: Pending[], tally: Tally): Promise<void> {
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
async function queue(
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

type MessageWrite = mongo.AnyBulkWriteOperation<DistributionMessageDoc>;

/**
 * Message records are written on the native driver: these writes are most of a batch's
 * database work, and mongoose's casting and cloning of each update cost more CPU than the
 * write. So the timestamps mongoose would add are added here.
 */
async function writeMessages(ctx: DeliveryContext, ops: MessageWrite[]): Promise<void> {
  await (ctx.models.DistributionMessage.collection as unknown as mongo.Collection<DistributionMessageDoc>).bulkWrite(
    ops,
    { ordered: false },
  );
}

/**
 * Upserts records still `queued` (or new), with `also` (updates that cannot collide) in the
 * same bulk write; the ids whose record was already final (the upsert hit its key).
 */
async function upsertQueued(
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

async function countCollided(ctx: DeliveryContext, ids: string[], tally: Tally): Promise<void> {
  if (ids.length === 0) return;
  for (const m of await ctx.models.DistributionMessage.find({ _id: { $in: ids } }, { status: 1 }).lean())
    tally.counts[m.status] += 1;
}

async function compose(
  ctx: DeliveryContext,
  run: DeliveryRun,
  customer: CustomerDoc,
  p: Pending,
  code: Code | undefined,
  shared: Shared,
): Promise<Outgoing> {
  const { distribution } = run;
  const channelDef = distribution.channels[p.index]!;
  const channel = ctx.channels.get(channelDef.type)!;
  const variables = messageVariables({
    customer,
    distribution,
    ...(code ? { voucher: code.voucher } : {}),
    ...(code?.campaign ? { campaign: code.campaign } : {}),
    ...(run.event ? { event: run.event } : {}),
    ...(shared.promotionTier ? { promotionTier: shared.promotionTier } : {}),
    links: {
      publicUrl: ctx.settings.publicUrl,
      signingKey: ctx.settings.linkSigningKey,
      cockpitTtlSeconds: ctx.settings.cockpitTtlSeconds,
    },
    unsubscribeChannel: channel.unsubscribeKey,
  });
  const rendered = await renderMessage(channelDef.template, variables);
  const account = usable(shared.accounts.get(p.index));
  return {
    pending: p,
    message: {
      id: p.id,
      customer,
      to: p.decision.send ? p.decision.to : '',
      ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
      ...(rendered.html !== undefined ? { html: rendered.html } : {}),
      ...(rendered.text !== undefined ? { text: rendered.text } : {}),
      variables,
      settings: channelDef.settings ?? {},
      ...(account ? { account } : {}),
    },
  };
}

/**
 * The messages to send, in the groups they are queued, sent and recorded in. A channel with a
 * batch API gets `BATCH_SEND_SIZE` per group (one provider request each); others go
 * `PARALLEL_SENDS` at a time. A worker that dies leaves at most one group per batch sent but
 * not recorded — the ones a retry sends again (or, `at_most_once`, records `unknown`).
 */
function sendGroups(ctx: DeliveryContext, run: DeliveryRun, sending: Pending[]): Pending[][] {
  const groups: Pending[][] = [];
  run.distribution.channels.forEach((c, index) => {
    const mine = sending.filter((p) => p.index === index);
    const size = ctx.channels.get(c.type)?.sendBatch ? BATCH_SEND_SIZE : PARALLEL_SENDS;
    for (let start = 0; start < mine.length; start += size) groups.push(mine.slice(start, start + size));
  });
  return groups;
}

/** One group (all on one channel) to its provider; one result per message, in order. */
async function sendGroup(ctx: DeliveryContext, run: DeliveryRun, outgoing: Outgoing[]): Promise<SendResult[]> {
  if (outgoing.length === 0) return [];
  const channel = ctx.channels.get(run.distribution.channels[outgoing[0]!.pending.index]!.type)!;
  const messages = outgoing.map((o) => o.message);
  const results =
    channel.sendBatch && messages.length > 1
      ? await guarded(() => channel.sendBatch!(messages), messages.length)
      : await Promise.all(messages.map(async (m) => (await guarded(async () => [await channel.send(m)], 1))[0]!));
  engineMetrics.messagesSent(channel.type, results);
  // Error texts are stored and logged: a second guard against an adapter quoting a credential.
  return messages.map((m, i) => {
    const r = results[i] ?? { status: 'transient', error: 'the channel gave no result for this message' };
    return m.account && r.status !== 'sent' ? { ...r, error: scrubSecrets(r.error, m.account.credentials) } : r;
  });
}

/** Adapters map providers' answers; a throw is a bug or the network, worth a retry. */
async function guarded(call: () => Promise<SendResult[]>, count: number): Promise<SendResult[]> {
  try {
    return await call();
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return Array.from({ length: count }, () => ({ status: 'transient', error }));
  }
}

/** `sent` only after the provider accepted; a transient failure stays `queued` for the retry. The writes, counted. */
function outcomeWrites(outgoing: Outgoing[], results: SendResult[], tally: Tally): MessageWrite[] {
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
      case 'transient':
        tally.counts.queued += 1;
        tally.transient(result.error, result.retryAfterMs);
        return {
          updateOne: { filter, update: { $set: { error: result.error, updated_at: now }, $unset: { in_flight: 1 } } },
        };
    }
  });
}

function base(
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
