import type { AppContext } from '../context';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { DistributionDoc } from '../models/distribution';
import { messageId, type DistributionMessageDoc, type MessageStatus } from '../models/distribution-message';
import type { DomainEvent } from '../models/domain-event';
import { NoVoucherSuitableError } from '../publications/publication-service';
import { AppError } from '../http/errors';
import { renderMessage } from '../templates/render';
import { messageVariables, type VoucherLike } from '../templates/message-variables';
import type { ChannelAccount, SendResult } from '../channels/channel';
import { scrubSecrets } from '../channels/secrets';
import { promotionTierForMessage } from '../promotions/tier-variables';
import { decideChannel, type ChannelDecision } from './consent-check';

/**
 * CONTRACT (implemented this session): the per-customer pipeline both manual batches and
 * event deliveries run — consent check → code publication (when the purpose needs one) →
 * render → send on each channel → message record. Idempotent: a message already `sent`,
 * `skipped` or `failed` is left alone, publications are keyed so a retry gets the same code.
 */
export interface DeliveryRun {
  distribution: DistributionDoc;
  /** `manual`, or the id of the event that fired an automatic distribution. */
  run: string;
  customerIds: string[];
  /** The event that fired it (automatic): its voucher, order, … feed the message variables. */
  event?: DomainEvent & { _id: string };
  /**
   * Aborted when Temporal gave this attempt up (a late heartbeat) and may already run another:
   * no further customer is started, so two attempts never send the same queued message at once.
   */
  signal?: AbortSignal;
}

export interface DeliveryOutcome {
  counts: Record<MessageStatus, number>;
  /** A STATIC campaign's pool ran out: the distribution must stop; later customers were not processed. */
  poolExhausted?: { campaignId: string };
  /** Messages left `queued` after a transient error: retry the run, not before `afterMs` when given. */
  retry?: { count: number; afterMs?: number; lastError: string };
}

/** Customers handled at once: enough to hide provider latency, few enough to spare the pool's claims. */
const PARALLEL_CUSTOMERS = 8;

const FINAL: ReadonlySet<MessageStatus> = new Set(['sent', 'skipped', 'failed']);

interface Code {
  voucher: VoucherLike;
  campaign?: CampaignDoc;
  publicationId?: string;
}

/** A pending channel of one customer: its index, where it goes and how it is sent. */
interface Pending {
  index: number;
  id: string;
  decision: ChannelDecision;
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
async function loadAccounts(ctx: AppContext, distribution: DistributionDoc): Promise<Accounts> {
  const needing = distribution.channels.flatMap((c, index) => (ctx.channels.get(c.type)?.account ? [{ c, index }] : []));
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
  readonly counts: Record<MessageStatus, number> = { queued: 0, sent: 0, skipped: 0, failed: 0 };
  poolExhausted?: { campaignId: string };
  retry?: { count: number; afterMs?: number; lastError: string };

  transient(error: string, afterMs: number | undefined): void {
    const r = this.retry ?? { count: 0, lastError: error };
    r.count += 1;
    r.lastError = error;
    if (afterMs !== undefined) r.afterMs = Math.max(r.afterMs ?? 0, afterMs);
    this.retry = r;
  }

  outcome(): DeliveryOutcome {
    return { counts: this.counts, ...(this.poolExhausted ? { poolExhausted: this.poolExhausted } : {}), ...(this.retry ? { retry: this.retry } : {}) };
  }
}

export async function deliverToCustomers(ctx: AppContext, run: DeliveryRun): Promise<DeliveryOutcome> {
  const { distribution } = run;
  const customerIds = [...new Set(run.customerIds)];
  const tally = new Tally();
  if (customerIds.length === 0 || distribution.channels.length === 0) return tally.outcome();

  const customers = new Map((await ctx.models.Customer.find({ _id: { $in: customerIds } }).lean()).map((c) => [c._id, c as CustomerDoc]));
  const ids = customerIds.flatMap((c) => distribution.channels.map((_, i) => messageId(distribution._id, run.run, c, i)));
  const known = new Map((await ctx.models.DistributionMessage.find({ _id: { $in: ids } }, { status: 1 }).lean()).map((m) => [m._id, m.status]));
  const accounts = await loadAccounts(ctx, distribution);
  const promotionTier = distribution.purpose.type === 'promotion' ? await promotionTierForMessage(ctx, distribution.purpose.promotion_tier_id) : undefined;
  const shared: Shared = { accounts, ...(promotionTier ? { promotionTier } : {}) };

  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < customerIds.length && !tally.poolExhausted && !failed && !run.signal?.aborted) {
      const customerId = customerIds[next++]!;
      try {
        await deliverToCustomer(ctx, run, customerId, customers.get(customerId), known, shared, tally);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  // Settled, not raced: a retry must not start while this attempt still sends.
  const results = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL_CUSTOMERS, customerIds.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  run.signal?.throwIfAborted();
  return tally.outcome();
}

async function deliverToCustomer(ctx: AppContext, run: DeliveryRun, customerId: string, customer: CustomerDoc | undefined, known: Map<string, MessageStatus>, shared: Shared, tally: Tally): Promise<void> {
  const { distribution } = run;
  const { accounts } = shared;
  const pending: Pending[] = [];
  distribution.channels.forEach((channel, index) => {
    const id = messageId(distribution._id, run.run, customerId, index);
    const status = known.get(id);
    if (status && FINAL.has(status)) {
      tally.counts[status] += 1;
      return;
    }
    let decision: ChannelDecision = !customer || customer.deleted_at
      ? { send: false, status: 'skipped', reason: 'customer_not_found' }
      : decideChannel(customer, distribution.consents, ctx.channels.get(channel.type), channel.settings ?? {});
    // Its account was deleted or cannot be decrypted: no code is published for a message that cannot go.
    const account = accounts.get(index);
    if (decision.send && account && 'unusable' in account) decision = { send: false, status: 'failed', reason: account.unusable };
    if (decision.send && distribution.purpose.type === 'promotion' && !shared.promotionTier) decision = { send: false, status: 'failed', reason: 'promotion_tier_not_found' };
    pending.push({ index, id, decision });
  });
  if (pending.length === 0) return;

  const sending = pending.filter((p) => p.decision.send);
  let code: Code | undefined;
  if (sending.length > 0 && customer && distribution.purpose.type === 'unique_code') {
    try {
      code = await codeFor(ctx, run, customer, distribution.purpose.campaign_id);
    } catch (err) {
      if (err instanceof NoVoucherSuitableError) {
        // Leave this customer without records: the distribution stops and reports it.
        tally.poolExhausted = { campaignId: distribution.purpose.campaign_id };
        return;
      }
      // A campaign that refuses for good (disabled, deleted) fails the messages; anything else is retried.
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 409) throw err;
      for (const p of sending) p.decision = { send: false, status: 'failed', reason: 'publication_failed' };
      await Promise.all(sending.map((p) => recordFinal(ctx, run, customerId, p, tally, err.message)));
      return;
    }
  }

  for (const p of pending) {
    if (p.decision.send) await send(ctx, run, customer!, p, p.decision.to, code, usable(accounts.get(p.index)), shared.promotionTier, tally);
    else await recordFinal(ctx, run, customerId, p, tally);
  }
}

/** The customer's code for this run: one publication per (distribution, run, customer), so a retry gets the same one. */
async function codeFor(ctx: AppContext, run: DeliveryRun, customer: CustomerDoc, campaignId: string): Promise<Code> {
  const { distribution, event } = run;
  const data = (event?.data ?? {}) as { voucher?: { id?: string; code?: string }; campaign?: { id?: string }; publication?: { id?: string } };
  // A distribution fired by a publication of its own campaign sends that code: publishing
  // another one would raise another voucher.published and fire it again, forever.
  if (distribution.trigger.type === 'voucher_published' && data.campaign?.id === campaignId && data.voucher?.code) {
    const [doc, campaign] = await Promise.all([
      data.voucher.id ? ctx.models.Voucher.findById(data.voucher.id).lean() : null,
      ctx.models.Campaign.findById(campaignId).lean(),
    ]);
    const voucher: VoucherLike = doc ?? { ...(data.voucher.id ? { id: data.voucher.id } : {}), code: data.voucher.code };
    return { voucher, ...(campaign ? { campaign } : {}), ...(data.publication?.id ? { publicationId: data.publication.id } : {}) };
  }
  const published = await ctx.publications.publish({
    campaign: campaignId,
    customer: customer._id,
    source_id: `distribution:${distribution._id}:${run.run}:${customer._id}`,
    channel: 'distribution',
  });
  return { voucher: published.voucher, campaign: published.campaign, publicationId: published.publication._id };
}

/** Records a message that will not be sent; a record already final (a concurrent attempt) wins. */
async function recordFinal(ctx: AppContext, run: DeliveryRun, customerId: string, p: Pending, tally: Tally, error?: string): Promise<void> {
  if (p.decision.send) return;
  const { status, reason } = p.decision;
  try {
    await ctx.models.DistributionMessage.updateOne(
      { _id: p.id, status: 'queued' },
      { $setOnInsert: base(run, customerId, p.index), $set: { status, reason, ...(error ? { error } : {}) } },
      { upsert: true },
    );
    tally.counts[status] += 1;
  } catch (err) {
    await countExisting(ctx, p.id, err, tally);
  }
}

async function send(ctx: AppContext, run: DeliveryRun, customer: CustomerDoc, p: Pending, to: string, code: Code | undefined, account: ChannelAccount | undefined, promotionTier: Record<string, unknown> | undefined, tally: Tally): Promise<void> {
  const { distribution } = run;
  const channelDef = distribution.channels[p.index]!;
  const channel = ctx.channels.get(channelDef.type)!;
  const variables = messageVariables({
    customer,
    distribution,
    ...(code ? { voucher: code.voucher } : {}),
    ...(code?.campaign ? { campaign: code.campaign } : {}),
    ...(run.event ? { event: run.event } : {}),
    ...(promotionTier ? { promotionTier } : {}),
    links: { publicUrl: ctx.settings.publicUrl, signingKey: ctx.settings.linkSigningKey },
    unsubscribeChannel: channel.unsubscribeKey,
  });
  const rendered = await renderMessage(channelDef.template, variables);

  // Queued before the provider is called: a crash from here on resends with the same id
  // (the provider's idempotency key) instead of forgetting that a send may have happened.
  try {
    await ctx.models.DistributionMessage.updateOne(
      { _id: p.id, status: 'queued' },
      {
        $setOnInsert: base(run, customer._id, p.index),
        $set: { ...(code ? { voucher_code: code.voucher.code, ...(code.publicationId ? { publication_id: code.publicationId } : {}) } : {}) },
        $inc: { attempts: 1 },
      },
      { upsert: true },
    );
  } catch (err) {
    await countExisting(ctx, p.id, err, tally);
    return;
  }

  let result: SendResult;
  try {
    result = await channel.send({
      id: p.id,
      customer,
      to,
      ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
      ...(rendered.html !== undefined ? { html: rendered.html } : {}),
      ...(rendered.text !== undefined ? { text: rendered.text } : {}),
      variables,
      settings: channelDef.settings ?? {},
      ...(account ? { account } : {}),
    });
  } catch (err) {
    // Adapters map providers' answers; a throw is a bug or the network, worth a retry.
    result = { status: 'transient', error: err instanceof Error ? err.message : String(err) };
  }
  // Error texts are stored and logged: a second guard against an adapter quoting a credential.
  if (account && result.status !== 'sent') result = { ...result, error: scrubSecrets(result.error, account.credentials) };

  const Message = ctx.models.DistributionMessage;
  switch (result.status) {
    case 'sent':
      await Message.updateOne(
        { _id: p.id, status: 'queued' },
        { $set: { status: 'sent', sent_at: new Date(), ...(result.providerMessageId ? { provider_message_id: result.providerMessageId } : {}) }, $unset: { error: 1 } },
      );
      tally.counts.sent += 1;
      return;
    case 'permanent':
      await Message.updateOne({ _id: p.id, status: 'queued' }, { $set: { status: 'failed', reason: 'permanent_error', error: result.error } });
      tally.counts.failed += 1;
      return;
    case 'transient':
      await Message.updateOne({ _id: p.id, status: 'queued' }, { $set: { error: result.error } });
      tally.counts.queued += 1;
      tally.transient(result.error, result.retryAfterMs);
      return;
  }
}

function base(run: DeliveryRun, customerId: string, index: number): Partial<DistributionMessageDoc> {
  return { distribution_id: run.distribution._id, run: run.run, customer_id: customerId, channel_index: index, channel_type: run.distribution.channels[index]!.type };
}

/** The upsert collided with a record a concurrent attempt made final: count that one. */
async function countExisting(ctx: AppContext, id: string, err: unknown, tally: Tally): Promise<void> {
  if ((err as { code?: number }).code !== 11000) throw err;
  const existing = await ctx.models.DistributionMessage.findById(id, { status: 1 }).lean();
  if (!existing) throw err;
  tally.counts[existing.status] += 1;
}
