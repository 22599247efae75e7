import os from 'node:os';
import request from 'supertest';
import type { DistributionSettings } from '../../src/distributions/settings';
import { variableScope } from '../../src/distributions/variable-scope';
import type { DistributionPurpose, DistributionTrigger } from '../../src/models/distribution';
import { startFakeSmtp, type FakeSmtp } from '../helpers/fake-smtp';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

/**
 * Every automatic trigger of the seed, end to end: a domain write raises its event through
 * the outbox, the event router starts one delivery per (distribution, event), and the
 * webhook channel delivers it. Each distribution posts to its own path of the fake receiver,
 * so what reached whom is counted per distribution.
 */
describe('automatic distributions fire once per matching event', () => {
  const SECRET = 'trigger-test-secret';
  let hook: FakeWebhook;
  let smtp: FakeSmtp;
  // Completed by the beforeAll below, which runs before the harness reads it.
  const settings: Partial<DistributionSettings> = { webhookSecret: SECRET, operatorEmail: 'ops@example.com' };
  beforeAll(async () => {
    hook = await startFakeWebhook(SECRET);
    smtp = await startFakeSmtp();
    settings.mail = { smtpUrl: smtp.url, from: 'promo@example.com', outboxDir: os.tmpdir() };
  });
  afterAll(async () => {
    await hook.close();
    await smtp.close();
  });
  const h = useServiceHarness('trig', { settings });

  const publish = (campaign: string, customer: string) =>
    h.sdk.client.distributions.publications.create({ campaign, customer } as never) as Promise<{
      voucher: { id: string; code: string };
      customer_id: string;
    }>;
  const received = (name: string) => hook.requests.filter((r) => r.path === `/hook/${name}`);
  const bodies = (name: string) =>
    received(name).map((r) => r.body as { variables: Record<string, Record<string, unknown>>; text?: string });

  async function automatic(
    name: string,
    trigger: Record<string, unknown>,
    purpose: Record<string, unknown> = { type: 'plain' },
  ): Promise<string> {
    // Only the variables this trigger and purpose fill: others are refused when saved.
    const scope = variableScope(trigger as unknown as DistributionTrigger, purpose as unknown as DistributionPurpose);
    const text = [
      'Hi {{customer.name}}:',
      ...(scope.has('voucher') ? ['{{voucher.code}}'] : []),
      ...(scope.has('order') ? ['{{order.status}}'] : []),
    ].join(' ');
    const res = await request(h.app)
      .post('/v1/distributions')
      .set(h.t.auth)
      .send({
        name,
        trigger,
        purpose,
        consents: { verification: false, required: [] },
        channels: [{ type: 'webhook', settings: { url: `${hook.url}/${name}` }, template: { text } }],
      });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ object: 'distribution', status: 'active' });
    return res.body.id as string;
  }

  /**
   * Nothing more will arrive: every event routed, no delivery workflow of this test running,
   * and no new event for a while (a delivery's own publication relays its event just after).
   */
  async function settled(): Promise<void> {
    let lastCount = -1;
    await eventually(
      async () => {
        const count = await h.t.ctx.models.DomainEvent.estimatedDocumentCount();
        const unrouted = await h.t.ctx.models.DomainEvent.countDocuments({ routed_at: { $exists: false } });
        let running = 0;
        for await (const _ of h.t.ctx.temporal.workflow.list({
          query: `TaskQueue="${h.t.ctx.taskQueue}" AND WorkflowType="deliveryWorkflow" AND ExecutionStatus="Running"`,
        }))
          running++;
        const quiet = count === lastCount && unrouted === 0 && running === 0;
        lastCount = count;
        if (!quiet) await new Promise((r) => setTimeout(r, 700));
        return quiet ? true : undefined;
      },
      30_000,
      'events routed and deliveries finished',
    );
  }

  it('segment entered and left: only for the chosen segment and direction', async () => {
    const gold = await h.sdk.client.segments.create({
      name: 'Gold',
      type: 'auto-update',
      filter: { junction: 'AND', 'metadata.tier': { conditions: { $is: ['gold'] } } },
    } as never);
    const silver = await h.sdk.client.segments.create({
      name: 'Silver',
      type: 'auto-update',
      filter: { junction: 'AND', 'metadata.tier': { conditions: { $is: ['silver'] } } },
    } as never);
    await automatic('entered-gold', { type: 'customer_entered_segment', segment_id: gold.id });
    await automatic('left-gold', { type: 'customer_left_segment', segment_id: gold.id });
    await automatic('entered-silver', { type: 'customer_entered_segment', segment_id: silver.id });

    await h.sdk.client.customers.create({ source_id: 'seg-1', name: 'Ada', metadata: { tier: 'gold' } });
    await h.sdk.client.customers.update({ source_id: 'seg-1', metadata: { tier: 'bronze' } } as never);
    await settled();
    expect(received('entered-gold')).toHaveLength(1);
    expect(received('left-gold')).toHaveLength(1);
    expect(received('entered-silver')).toHaveLength(0);
    expect(bodies('entered-gold')[0]!.text).toContain('Hi Ada');
  });

  it('voucher triggers fire only for codes of their campaign', async () => {
    const gifts = await createCampaign(h.sdk, {
      name: 'Gifts A',
      type: 'STATIC',
      vouchers_count: 3,
      voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } },
    });
    const otherGifts = await createCampaign(h.sdk, {
      name: 'Gifts B',
      type: 'STATIC',
      vouchers_count: 3,
      voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } },
    });
    const club = await createCampaign(h.sdk, {
      name: 'Club A',
      campaign_type: 'LOYALTY_PROGRAM',
      type: 'STATIC',
      vouchers_count: 3,
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 100 } },
    });
    const coupons = await createCampaign(h.sdk, {
      name: 'Coupons A',
      type: 'STATIC',
      vouchers_count: 5,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } },
    });
    const otherCoupons = await createCampaign(h.sdk, {
      name: 'Coupons B',
      type: 'STATIC',
      vouchers_count: 5,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 500 } },
    });

    await automatic('gift-added', { type: 'gift_credits_added', campaign_id: gifts.id });
    await automatic('points-added', { type: 'loyalty_points_added', campaign_id: club.id });
    await automatic('redeemed', { type: 'voucher_redeemed', campaign_id: coupons.id });
    await automatic('rolled-back', { type: 'voucher_redemption_rollback', campaign_id: coupons.id });
    await automatic('rewarded', { type: 'reward_redeemed', campaign_id: club.id });
    await automatic('published', { type: 'voucher_published', campaign_id: coupons.id });

    const customer = 'voucher-fan';
    await h.sdk.client.customers.create({ source_id: customer, name: 'Grace' });
    const gift = await publish(gifts.id, customer);
    const otherGift = await publish(otherGifts.id, customer);
    await h.sdk.client.vouchers.balance.create(gift.voucher.code, { amount: 500 } as never);
    await h.sdk.client.vouchers.balance.create(otherGift.voucher.code, { amount: 500 } as never);

    const card = await publish(club.id, customer);
    await h.sdk.client.vouchers.balance.create(card.voucher.code, { amount: 50 } as never);
    const mug = (await h.sdk.client.rewards.create({
      name: 'Mug',
      type: 'MATERIAL',
      parameters: { product: { id: 'prod_mug' } },
    } as never)) as unknown as { id: string };
    await h.sdk.client.loyalties.redeemReward(club.id, card.voucher.code, {
      reward: { id: mug.id, points: 60 },
    } as never);

    const coupon = await publish(coupons.id, customer);
    const otherCoupon = await publish(otherCoupons.id, customer);
    const redemption = (await h.sdk.client.redemptions.redeem(coupon.voucher.code, {
      customer: { source_id: customer },
      order: { amount: 2000 },
    } as never)) as unknown as { id: string };
    await h.sdk.client.redemptions.redeem(otherCoupon.voucher.code, {
      customer: { source_id: customer },
      order: { amount: 2000 },
    } as never);
    await h.sdk.client.redemptions.rollback(redemption.id);

    await settled();
    expect(received('gift-added')).toHaveLength(1);
    expect(bodies('gift-added')[0]!.variables.voucher).toMatchObject({ code: gift.voucher.code });
    expect(received('points-added')).toHaveLength(1);
    expect(received('rewarded')).toHaveLength(1);
    expect(received('redeemed')).toHaveLength(1);
    expect(bodies('redeemed')[0]!.variables.voucher).toMatchObject({ code: coupon.voucher.code });
    expect(received('rolled-back')).toHaveLength(1);
    expect(received('published')).toHaveLength(1);
    expect(bodies('published')[0]!.text).toContain(coupon.voucher.code);
  });

  it('publishes a code per event for a unique-code purpose, but sends the published code itself on a publication of the same campaign', async () => {
    const welcome = await createCampaign(h.sdk, {
      name: 'Welcome',
      type: 'AUTO_UPDATE',
      vouchers_count: 2,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
    });
    const vip = await h.sdk.client.segments.create({
      name: 'VIP',
      type: 'auto-update',
      filter: { junction: 'AND', 'metadata.vip': { conditions: { $is: [true] } } },
    } as never);
    await automatic(
      'vip-welcome',
      { type: 'customer_entered_segment', segment_id: vip.id },
      { type: 'unique_code', campaign_id: welcome.id },
    );
    await automatic(
      'welcome-published',
      { type: 'voucher_published', campaign_id: welcome.id },
      { type: 'unique_code', campaign_id: welcome.id },
    );

    const customer = (await h.sdk.client.customers.create({
      source_id: 'vip-1',
      name: 'Hedy',
      metadata: { vip: true },
    })) as { id: string };
    await settled();
    // The segment entry published one code and sent it; that publication fired the second distribution, which sent the same code.
    const publications = await h.t.ctx.models.Publication.find({
      customer_id: customer.id,
      campaign_id: welcome.id,
    }).lean();
    expect(publications).toHaveLength(1);
    const code = (await h.t.ctx.models.Voucher.findById(publications[0]!.voucher_id).lean())!.code;
    expect(bodies('vip-welcome').map((b) => b.variables.voucher?.code)).toEqual([code]);
    expect(bodies('welcome-published').map((b) => b.variables.voucher?.code)).toEqual([code]);
  });

  it('stops when a STATIC pool runs out, recording whom it ran out for and telling the operator once; a resume after adding codes makes it active again; an AUTO_UPDATE pool grows instead', async () => {
    const scarce = await createCampaign(h.sdk, {
      name: 'Scarce',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 20 } },
    });
    const ample = await createCampaign(h.sdk, {
      name: 'Ample',
      type: 'AUTO_UPDATE',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 20 } },
    });
    const stopping = await automatic(
      'paid-scarce',
      { type: 'order_paid' },
      { type: 'unique_code', campaign_id: scarce.id },
    );
    await automatic('paid-ample', { type: 'order_paid' }, { type: 'unique_code', campaign_id: ample.id });

    for (const n of [1, 2, 3]) {
      await h.sdk.client.orders.create({
        source_id: `pool-order-${n}`,
        customer: { source_id: `pool-buyer-${n}` },
        amount: 100,
        status: 'PAID',
      } as never);
      await settled();
    }
    expect(received('paid-scarce')).toHaveLength(1);
    expect(received('paid-ample')).toHaveLength(3);
    expect(new Set(bodies('paid-ample').map((b) => b.variables.voucher?.code)).size).toBe(3);
    const stopped = await request(h.app).get(`/v1/distributions/${stopping}`).set(h.t.auth);
    expect(stopped.body).toMatchObject({ status: 'stopped', status_reason: 'pool_exhausted' });
    const notices = () =>
      smtp.messages.filter((m) => m.to.includes('ops@example.com') && m.text.includes('paid-scarce'));
    await eventually(async () => (notices().length > 0 ? true : undefined), 10_000, 'operator notice');
    expect(notices()).toHaveLength(1);
    // The stop is recorded once, by the distribution's workflow (the version counts each change).
    const stoppedVersion = stopped.body.version as number;
    // The event whose customer found the pool empty is in the report, one skip per channel; the
    // third order came after the stop, so the stopped distribution was not among its routes.
    const skips = await h.t.ctx.models.DistributionMessage.find({
      distribution_id: stopping,
      status: 'skipped',
      reason: 'pool_exhausted',
    }).lean();
    const buyer2 = await h.t.ctx.models.Customer.findOne({ source_id: 'pool-buyer-2' }).lean();
    expect(skips.map((m) => m.customer_id)).toEqual([buyer2!._id]);
    const report = await request(h.app).get(`/v1/distributions/${stopping}/report`).set(h.t.auth);
    expect(report.body.totals).toMatchObject({ sent: 1, skipped: 1 });

    // An order while stopped is not delivered; after codes are added, a resume makes it active and the next order gets a new code.
    await h.sdk.client.orders.create({
      source_id: 'pool-order-4',
      customer: { source_id: 'pool-buyer-4' },
      amount: 100,
      status: 'PAID',
    } as never);
    await settled();
    expect(received('paid-scarce')).toHaveLength(1);
    expect(
      (await request(h.app).post(`/v1/campaigns/${scarce.id}/vouchers/REFILL-1`).set(h.t.auth).send({})).status,
    ).toBe(200);
    const resumed = await request(h.app).post(`/v1/distributions/${stopping}/resume`).set(h.t.auth);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ status: 'active' });
    expect(resumed.body.status_reason).toBeNull();
    expect(resumed.body.version).toBe(stoppedVersion + 1);
    await h.sdk.client.orders.create({
      source_id: 'pool-order-5',
      customer: { source_id: 'pool-buyer-5' },
      amount: 100,
      status: 'PAID',
    } as never);
    await settled();
    expect(bodies('paid-scarce').map((b) => b.variables.voucher?.code)).toEqual([expect.any(String), 'REFILL-1']);
    expect(notices()).toHaveLength(1);
  });

  it('order triggers fire only for their status change', async () => {
    await automatic('order-created', { type: 'order_created' });
    await automatic('order-updated', { type: 'order_updated' });
    await automatic('order-paid', { type: 'order_paid' });
    await automatic('order-canceled', { type: 'order_canceled' });

    const order = (await h.sdk.client.orders.create({
      source_id: 'trig-order-1',
      customer: { source_id: 'buyer', name: 'Linus' },
      amount: 2500,
      status: 'CREATED',
    } as never)) as unknown as { id: string };
    await h.sdk.client.orders.update({ id: order.id, status: 'PAID' } as never);
    await h.sdk.client.orders.update({ id: order.id, metadata: { gift_wrap: true } } as never);
    await h.sdk.client.orders.update({ id: order.id, status: 'CANCELED' } as never);

    await settled();
    expect(received('order-created')).toHaveLength(1);
    expect(received('order-paid')).toHaveLength(1);
    expect(bodies('order-paid')[0]!.text).toContain('PAID');
    expect(received('order-canceled')).toHaveLength(1);
    expect(received('order-updated')).toHaveLength(3);
  });

  it('delivers inline when the provider accepts at once, and hands a transient failure to a delivery workflow that retries after Retry-After', async () => {
    await automatic('paid-retry', { type: 'order_paid' });
    const deliveries = async () => {
      let n = 0;
      for await (const _ of h.t.ctx.temporal.workflow.list({
        query: `TaskQueue="${h.t.ctx.taskQueue}" AND WorkflowType="deliveryWorkflow" AND WorkflowId STARTS_WITH "delivery-"`,
      }))
        n++;
      return n;
    };
    await settled();
    const before = await deliveries();

    // Accepted at once: no workflow.
    await h.sdk.client.orders.create({
      source_id: 'retry-order-1',
      customer: { source_id: 'retry-buyer-1', name: 'Ada' },
      amount: 1000,
      status: 'PAID',
    } as never);
    await settled();
    expect(received('paid-retry')).toHaveLength(1);
    expect(await deliveries()).toBe(before);

    // Refused once with Retry-After: the workflow sends it again after the delay, once.
    hook.respond((r) =>
      r.path === '/hook/paid-retry' && hook.all.filter((a) => a.path === '/hook/paid-retry').length === 2
        ? { status: 503, headers: { 'retry-after': '1' } }
        : undefined,
    );
    await h.sdk.client.orders.create({
      source_id: 'retry-order-2',
      customer: { source_id: 'retry-buyer-2', name: 'Bob' },
      amount: 1000,
      status: 'PAID',
    } as never);
    await settled();
    hook.respond(undefined);
    const attempts = hook.all.filter((a) => a.path === '/hook/paid-retry').slice(1);
    expect(attempts.map((a) => a.status)).toEqual([503, 200]);
    expect(attempts[1]!.receivedAt.getTime() - attempts[0]!.receivedAt.getTime()).toBeGreaterThanOrEqual(900);
    expect(received('paid-retry')).toHaveLength(2);
    expect(await deliveries()).toBe(before + 1);
  });

  it('a duplicated event sends once, and a paused distribution ignores events until resumed', async () => {
    const id = await automatic('dup-paid', { type: 'order_paid' });
    await h.sdk.client.orders.create({
      source_id: 'dup-order',
      customer: { source_id: 'dup-buyer' },
      amount: 100,
      status: 'PAID',
    } as never);
    await settled();
    expect(received('dup-paid')).toHaveLength(1);

    // As if the dispatcher crashed before recording the dispatch and the router before recording the routing.
    const event = await h.t.ctx.models.DomainEvent.findOne({
      type: 'customer.order.paid',
      'data.order.source_id': 'dup-order',
    }).lean();
    expect(event).toBeTruthy();
    await h.t.ctx.models.DomainEvent.updateOne({ _id: event!._id }, { $unset: { dispatched_at: 1, routed_at: 1 } });
    await settled();
    expect(received('dup-paid')).toHaveLength(1);
    expect(await h.t.ctx.models.DistributionMessage.countDocuments({ distribution_id: id })).toBe(1);

    expect((await request(h.app).post(`/v1/distributions/${id}/pause`).set(h.t.auth)).status).toBe(200);
    await h.sdk.client.orders.create({
      source_id: 'paused-order',
      customer: { source_id: 'dup-buyer' },
      amount: 100,
      status: 'PAID',
    } as never);
    await settled();
    expect(received('dup-paid')).toHaveLength(1);
    expect((await request(h.app).post(`/v1/distributions/${id}/resume`).set(h.t.auth)).status).toBe(200);
    await h.sdk.client.orders.create({
      source_id: 'resumed-order',
      customer: { source_id: 'dup-buyer' },
      amount: 100,
      status: 'PAID',
    } as never);
    await settled();
    expect(received('dup-paid')).toHaveLength(2);
    expect(hook.duplicates()).toBe(0);
  });
});
