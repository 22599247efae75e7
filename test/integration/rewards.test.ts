import request from 'supertest';
import { eventually } from '../helpers/sdk';
import { createCampaign, useServiceHarness } from '../helpers/harness';

describe('rewards bought with loyalty points', () => {
  const h = useServiceHarness('reward');

  const campaign = (body: Record<string, unknown>) => createCampaign(h.sdk, body);
  const publish = (body: Record<string, unknown>) =>
    h.sdk.client.distributions.publications.create(body as never) as Promise<{
      voucher: { id: string; code: string };
      customer_id: string;
    }>;
  type Redemption = {
    id: string;
    object: string;
    result: string;
    reward: { id: string; name: string };
    loyalty_card: { points: number };
    voucher: { loyalty_card: { balance: number } };
  };
  const redeem = (campaignId: string, code: string, reward: Record<string, unknown>) =>
    h.sdk.client.loyalties.redeemReward(campaignId, code, { reward } as never) as unknown as Promise<Redemption>;

  it('creates, gets and lists rewards', async () => {
    const gifts = await campaign({
      name: 'Reward gifts',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'GIFT_VOUCHER', gift: { amount: 1000 } },
    });
    const created = (await h.sdk.client.rewards.create({
      name: '10 EUR gift card',
      type: 'CAMPAIGN',
      parameters: { campaign: { id: gifts.id, balance: 1000 } },
    } as never)) as unknown as { id: string; object: string };
    expect(created).toMatchObject({ object: 'reward', name: '10 EUR gift card', type: 'CAMPAIGN', stock: null });
    expect(created.id).toMatch(/^rew_/);
    expect(await h.sdk.client.rewards.get(created.id)).toMatchObject({
      id: created.id,
      parameters: { campaign: { id: gifts.id } },
    });
    const list = await request(h.app).get('/v1/rewards').set(h.t.auth);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ object: 'list', total: 1, data: [{ id: created.id }] });
    const missing = await request(h.app)
      .post('/v1/rewards')
      .set(h.t.auth)
      .send({ name: 'x', type: 'CAMPAIGN', parameters: {} });
    expect(missing.status).toBe(400);
    const unknown = await request(h.app).get('/v1/rewards/rew_nope').set(h.t.auth);
    expect(unknown.status).toBe(404);
  });

  it("redeems a reward with a card's points, records customer.rewarded once, and refuses insufficient points", async () => {
    const loyalty = await campaign({
      name: 'Club',
      campaign_type: 'LOYALTY_PROGRAM',
      type: 'STATIC',
      vouchers_count: 2,
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 100 } },
    });
    const p = await publish({ campaign: loyalty.name, customer: 'member-1' });
    const mug = (await h.sdk.client.rewards.create({
      name: 'Mug',
      type: 'MATERIAL',
      parameters: { product: { id: 'prod_mug' } },
    } as never)) as unknown as { id: string };

    const r = await redeem(loyalty.id, p.voucher.code, { id: mug.id, points: 60 });
    expect(r).toMatchObject({
      object: 'redemption',
      result: 'SUCCESS',
      reward: { id: mug.id, name: 'Mug' },
      loyalty_card: { points: 60 },
      voucher: { loyalty_card: { balance: 40 } },
    });
    expect(r.id).toMatch(/^r_/);
    expect(await h.t.ctx.models.RewardRedemption.findById(r.id).lean()).toMatchObject({
      reward_id: mug.id,
      voucher_id: p.voucher.id,
      customer_id: p.customer_id,
      points: 60,
    });

    await expect(redeem(loyalty.id, p.voucher.code, { id: mug.id, points: 41 })).rejects.toMatchObject({
      code: 400,
      key: 'loyalty_card_points_exceeded',
    });
    // The path without the campaign works too.
    const res = await request(h.app)
      .post(`/v1/loyalties/members/${p.voucher.code}/redemption`)
      .set(h.t.auth)
      .send({ reward: { id: mug.id, points: 41 } });
    expect(res.status).toBe(400);
    expect((await h.t.ctx.models.Voucher.findById(p.voucher.id).lean())!.loyalty_card).toMatchObject({
      points: 100,
      balance: 40,
    });

    const events = await eventually(
      async () => {
        const found = await h.t.ctx.models.DomainEvent.find({
          type: 'customer.rewarded',
          customer_id: p.customer_id,
        }).lean();
        return found.length > 0 ? found : undefined;
      },
      5_000,
      'customer.rewarded',
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({
      customer: { id: p.customer_id },
      reward: { id: mug.id },
      voucher: { code: p.voucher.code },
      points: 60,
      redemption: { id: r.id },
    });

    // A card of another campaign is not found under this one.
    const other = await campaign({
      name: 'Other club',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 100 } },
    });
    await expect(redeem(other.id, p.voucher.code, { id: mug.id, points: 1 })).rejects.toMatchObject({ code: 404 });
  });

  it('never overdraws under parallel redemptions, and honours stock', async () => {
    const loyalty = await campaign({
      name: 'Busy club',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 250 } },
    });
    const p = await publish({ campaign: loyalty.name, customer: 'member-busy' });
    const tote = (await h.sdk.client.rewards.create({
      name: 'Tote',
      type: 'MATERIAL',
      parameters: { loyalty: { points: 50 } },
    } as never)) as unknown as { id: string };

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => redeem(loyalty.id, p.voucher.code, { id: tote.id })),
    );
    const ok = results.filter((x) => x.status === 'fulfilled');
    expect(ok).toHaveLength(5);
    for (const x of results)
      if (x.status === 'rejected') expect(x.reason).toMatchObject({ key: 'loyalty_card_points_exceeded' });
    expect((await h.t.ctx.models.Voucher.findById(p.voucher.id).lean())!.loyalty_card).toMatchObject({ balance: 0 });
    expect(await h.t.ctx.models.RewardRedemption.countDocuments({ voucher_id: p.voucher.id })).toBe(5);
    await eventually(
      async () =>
        (await h.t.ctx.models.DomainEvent.countDocuments({ type: 'customer.rewarded', customer_id: p.customer_id })) ===
        5
          ? true
          : undefined,
      5_000,
      'five events',
    );

    const rich = await campaign({
      name: 'Rich club',
      type: 'STATIC',
      vouchers_count: 1,
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 1000 } },
    });
    const q = await publish({ campaign: rich.name, customer: 'member-rich' });
    const rare = (await h.sdk.client.rewards.create({
      name: 'Rare',
      type: 'MATERIAL',
      parameters: {},
      stock: 2,
    } as never)) as unknown as { id: string };
    const taken = await Promise.allSettled(
      Array.from({ length: 5 }, () => redeem(rich.id, q.voucher.code, { id: rare.id, points: 10 })),
    );
    expect(taken.filter((x) => x.status === 'fulfilled')).toHaveLength(2);
    for (const x of taken) if (x.status === 'rejected') expect(x.reason).toMatchObject({ key: 'reward_out_of_stock' });
    expect((await h.t.ctx.models.Voucher.findById(q.voucher.id).lean())!.loyalty_card).toMatchObject({ balance: 980 });
    expect(await h.sdk.client.rewards.get(rare.id)).toMatchObject({ stock: 2, redeemed: 2 });
  });
});
