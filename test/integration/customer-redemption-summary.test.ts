import { finishRelays } from '../../src/events/relay';
import type { RedemptionsSummary } from '../../src/redemptions/redemption-summary';
import { eventually } from '../helpers/sdk';
import { createCampaign, useServiceHarness } from '../helpers/harness';

interface Customer {
  id: string;
  summary: { redemptions: RedemptionsSummary };
  loyalty: { points: number; referred_customers: number; campaigns: Record<string, { points: number }> };
}

describe('customer summary.redemptions and loyalty, kept from the redemption events', () => {
  const h = useServiceHarness('redsum');

  const codesOf = async (campaignId: string) =>
    (await h.t.ctx.models.Voucher.find({ campaign_id: campaignId }).sort({ code: 1 }).lean()).map((v) => v.code);
  const redeem = (code: string, customerId: string) =>
    h.sdk.client.redemptions.redeemStackable({
      redeemables: [{ object: 'voucher', id: code }],
      customer: { id: customerId },
      order: { amount: 1000 },
    } as never) as unknown as Promise<{ redemptions: Array<{ id: string }> }>;
  const getCustomer = async (id: string) => (await h.sdk.getCustomer(id)) as unknown as Customer;
  const countEvents = (customerId: string, type: string, segmentId?: string) =>
    h.t.ctx.models.DomainEvent.countDocuments({
      customer_id: customerId,
      type,
      ...(segmentId ? { 'data.segment.id': segmentId } : {}),
    });
  /** Waits until the customer's summary shows `check`, i.e. the redemption's follow-up ran. */
  const summaryOf = (id: string, check: (c: Customer) => boolean, what: string) =>
    eventually(
      async () => {
        const c = await getCustomer(id);
        return check(c) ? c : undefined;
      },
      10_000,
      what,
    );
  const autoSegment = async (name: string, filter: Record<string, unknown>) => {
    const segment = await h.sdk.client.segments.create({
      name,
      type: 'auto-update',
      filter: { junction: 'and', ...filter },
    } as never);
    await eventually(
      async () =>
        (await h.t.ctx.models.Segment.findById(segment.id).lean())?.sync_status === 'synced' ? true : undefined,
      30_000,
      'segment synced',
    );
    return segment.id;
  };
  /** No follow-up still to run for these redemptions: counts are final. */
  const relayed = (ids: string[]) =>
    eventually(
      async () =>
        (await h.t.ctx.models.Redemption.countDocuments({ _id: { $in: ids }, outbox_pending: true })) === 0
          ? true
          : undefined,
      10_000,
      'redemptions relayed',
    );

  it('enters a segment on total_redeemed >= 2 after the second redemption, counts rollbacks and failures, and never twice on a retried follow-up', async () => {
    const segmentId = await autoSegment('Redeemed twice', {
      'summary.redemptions.total_redeemed': { conditions: { $more_than_equal: [2] } },
    });
    const c = await createCampaign(h.sdk, {
      name: 'Summary codes',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 100 }, redemption: { quantity: 2 } },
    });
    const [code] = await codesOf(c.id);
    const customer = await h.sdk.createCustomer({ source_id: 'summary-redeemer' });
    expect((await getCustomer(customer.id)).summary.redemptions.total_redeemed).toBe(0);

    const first = await redeem(code!, customer.id);
    await summaryOf(customer.id, (x) => x.summary.redemptions.total_redeemed === 1, 'first redemption counted');
    await relayed([first.redemptions[0]!.id]);
    expect(await countEvents(customer.id, 'customer.segment.entered', segmentId)).toBe(0);
    expect((await h.t.ctx.models.Customer.findById(customer.id).lean())!.segments).not.toContain(segmentId);

    const second = await redeem(code!, customer.id);
    const after = await summaryOf(
      customer.id,
      (x) => x.summary.redemptions.total_redeemed === 2,
      'second redemption counted',
    );
    expect(after.summary.redemptions).toMatchObject({ total_succeeded: 2, total_failed: 0, total_rolled_back: 0 });
    await eventually(
      async () => ((await countEvents(customer.id, 'customer.segment.entered', segmentId)) === 1 ? true : undefined),
      10_000,
      'segment entered',
    );
    const members = (await h.sdk.client.customers.list({ segment_id: segmentId } as never)) as unknown as {
      customers: Array<{ id: string }>;
    };
    expect(members.customers.map((m) => m.id)).toEqual([customer.id]);

    // The code's quantity is used up: a refused redemption is recorded and counted as failed.
    await expect(redeem(code!, customer.id)).rejects.toMatchObject({ code: 400, key: 'quantity_exceeded' });
    const failed = await h.t.ctx.models.Redemption.find({ customer_id: customer.id, status: 'FAILED' }).lean();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      result: 'FAILURE',
      failure_code: 'quantity_exceeded',
      voucher_code: code,
      campaign_id: c.id,
    });
    expect(await h.sdk.client.redemptions.get(failed[0]!._id)).toMatchObject({
      id: failed[0]!._id,
      result: 'FAILURE',
      status: 'FAILED',
      failure_code: 'quantity_exceeded',
    });
    await summaryOf(customer.id, (x) => x.summary.redemptions.total_failed === 1, 'failure counted');
    await eventually(
      async () => ((await countEvents(customer.id, 'customer.redemption.failed')) === 1 ? true : undefined),
      10_000,
      'redemption.failed event',
    );
    // A failed redemption cannot be rolled back: the refused rollback is recorded and counted.
    await expect(h.sdk.client.redemptions.rollback(failed[0]!._id)).rejects.toMatchObject({ code: 400 });

    await h.sdk.client.redemptions.rollback(second.redemptions[0]!.id, { reason: 'returned' });
    const rolled = await summaryOf(
      customer.id,
      (x) => x.summary.redemptions.total_rollback_succeeded === 1 && x.summary.redemptions.total_rollback_failed === 1,
      'rollbacks counted',
    );
    expect(rolled.summary.redemptions).toEqual({
      total_redeemed: 3,
      total_failed: 1,
      total_succeeded: 2,
      total_rolled_back: 2,
      total_rollback_failed: 1,
      total_rollback_succeeded: 1,
      gift: { redeemed_amount: 0, amount_to_go: 0 },
      loyalty_card: { redeemed_points: 0, points_to_go: 0 },
    });

    // Retried follow-ups (a sweep after a crash, a second relay) recompute the same summary and write nothing.
    const ids = [first.redemptions[0]!.id, second.redemptions[0]!.id, failed[0]!._id];
    await relayed(ids);
    const version = (await h.t.ctx.models.Customer.findById(customer.id).lean())!.version;
    const source = h.t.ctx.events.sources.find((s) => s.name === 'redemptions')!;
    await finishRelays(source, ids);
    await finishRelays(source, ids);
    expect((await h.t.ctx.models.Customer.findById(customer.id).lean())!.version).toBe(version);
    expect((await getCustomer(customer.id)).summary.redemptions).toEqual(rolled.summary.redemptions);
    expect(await countEvents(customer.id, 'customer.segment.entered', segmentId)).toBe(1);
    expect(await countEvents(customer.id, 'customer.segment.left', segmentId)).toBe(0);
  });

  it('keeps loyalty.points and gift amount_to_go from the held cards, and moves a segment on loyalty.points both ways', async () => {
    const segmentId = await autoSegment('Point holders', {
      'loyalty.points': { conditions: { $more_than_equal: [300] } },
    });
    const loyalty = await createCampaign(h.sdk, {
      name: 'Summary loyalty',
      type: 'AUTO_UPDATE',
      campaign_type: 'LOYALTY_PROGRAM',
      vouchers_count: 1,
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 0 } },
    });
    const gift = await createCampaign(h.sdk, {
      name: 'Summary gift',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'GIFT_VOUCHER', gift: { amount: 2500 } },
    });
    const publish = (campaign: string) =>
      h.sdk.client.distributions.publications.create({
        campaign,
        customer: { source_id: 'summary-member' },
      } as never) as Promise<{ voucher: { code: string }; customer_id: string }>;
    const card = await publish(loyalty.id);
    const customerId = card.customer_id;
    await publish(gift.id);
    await summaryOf(customerId, (x) => x.summary.redemptions.gift.amount_to_go === 2500, 'published gift card counted');

    await h.sdk.client.vouchers.balance.create(card.voucher.code, { amount: 500 } as never);
    const rich = await summaryOf(customerId, (x) => x.loyalty.points === 500, 'points added');
    expect(rich.summary.redemptions.loyalty_card).toEqual({ redeemed_points: 0, points_to_go: 500 });
    expect(rich.loyalty.campaigns).toEqual({ [loyalty.id]: { points: 500 } });
    await eventually(
      async () => ((await countEvents(customerId, 'customer.segment.entered', segmentId)) === 1 ? true : undefined),
      10_000,
      'segment entered',
    );

    // Points spent on a reward count as redeemed.
    const mug = (await h.sdk.client.rewards.create({
      name: 'Summary mug',
      type: 'MATERIAL',
      parameters: { product: { id: 'prod_mug' } },
    } as never)) as unknown as { id: string };
    await h.sdk.client.loyalties.redeemReward(loyalty.id, card.voucher.code, {
      reward: { id: mug.id, points: 100 },
    } as never);
    const spent = await summaryOf(customerId, (x) => x.loyalty.points === 400, 'reward paid');
    expect(spent.summary.redemptions.loyalty_card).toEqual({ redeemed_points: 100, points_to_go: 400 });

    // A removal raises no event of its own, yet the summary follows it and the customer leaves.
    await h.sdk.client.vouchers.balance.create(card.voucher.code, { amount: -300 } as never);
    await summaryOf(customerId, (x) => x.loyalty.points === 100, 'points removed');
    await eventually(
      async () => ((await countEvents(customerId, 'customer.segment.left', segmentId)) === 1 ? true : undefined),
      10_000,
      'segment left',
    );
    expect(await countEvents(customerId, 'customer.segment.entered', segmentId)).toBe(1);
  });
});
