import type { CustomerDoc } from '../models/customer';
import type { DistributionDoc } from '../models/distribution';
import { messageId } from '../models/distribution-message';
import { DomainError } from '../errors';
import { renderMessage } from '../templates/render';
import { messageVariables, type VoucherLike } from '../templates/message-variables';
import { promotionTierForMessage } from '../promotions/tier-variables';
import { decideChannel, type ChannelDecision } from './consent-check';
import {
  FINAL,
  Tally,
  usable,
  type AccountOrWhyNot,
  type Accounts,
  type Code,
  type DeliveryContext,
  type DeliveryOutcome,
  type DeliveryRun,
  type Known,
  type Outgoing,
  type Pending,
  type Shared,
} from './delivery-run';
import { outcomeWrites, queue, recordFinal, writeMessages, type MessageWrite } from './message-records';
import { sendGroup, sendGroups } from './send-groups';

export type { DeliveryContext, DeliveryOutcome, DeliveryRun } from './delivery-run';
export { BATCH_SEND_SIZE } from './send-groups';

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
