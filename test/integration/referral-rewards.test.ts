import request from 'supertest';
import { BalanceService } from '../../src/balances/balance-service';
import { useFakeSmtp } from '../helpers/fake-smtp';
import { ReferralRewards } from '../../src/rewards/referral-rewards';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

interface RedemptionsSummary {
  total_rolled_back: number;
  total_rollback_failed: number;
  total_rollback_succeeded: number;
}

describe("a referral program credits the referrer's card and a rollback withdraws it, through the SDK", () => {
  const inbox = useFakeSmtp();
  const { settings } = inbox;
  const h = useServiceHarness('refrew', { settings });

  const publish = (campaign: string, customer: string) =>
    h.sdk.client.distributions.publications.create({ campaign, customer } as never) as Promise<{
      voucher: { code: string };
    }>;
  const giftOf = async (code: string) =>
    ((await h.sdk.client.vouchers.get(code)) as unknown as { gift: { amount: number; balance: number } }).gift;
  const summaryOf = async (id: string) =>
    ((await h.sdk.getCustomer(id)) as unknown as { summary: { redemptions: RedemptionsSummary } }).summary.redemptions;

  /** A reward campaign (`voucher` its template), a CAMPAIGN reward on it, and a referral program rewarding with it. */
  const programRewarding = async (name: string, voucher: Record<string, unknown>, balance?: number) => {
    const types: Record<string, string> = {
      GIFT_VOUCHER: 'GIFT_VOUCHERS',
      LOYALTY_CARD: 'LOYALTY_PROGRAM',
      DISCOUNT_VOUCHER: 'DISCOUNT_COUPONS',
    };
    const cards = await createCampaign(h.sdk, {
      name: `${name} rewards`,
      campaign_type: types[String(voucher.type)],
      type: 'AUTO_UPDATE',
      vouchers_count: 1,
      voucher,
    });
    const reward = (await h.sdk.client.rewards.create({
      name: `${name} reward`,
      type: 'CAMPAIGN',
      parameters: { campaign: { id: cards.id, ...(balance === undefined ? {} : { balance }) } },
    } as never)) as unknown as { id: string };
    const program = await createCampaign(h.sdk, {
      name,
      campaign_type: 'REFERRAL_PROGRAM',
      type: 'AUTO_UPDATE',
      vouchers_count: 1,
      referral_program: { conversion_event_type: 'redemption', referrer_reward: { id: reward.id } },
      voucher: {
        type: 'DISCOUNT_VOUCHER',
        discount: { type: 'PERCENT', percent_off: 10 },
        redemption: { quantity: null },
      },
    });
    return { cards, reward, program };
  };

  it('credits once per redemption, also when crediting is retried after a crash, and takes it back on rollback', async () => {
    const {
      cards: giftCards,
      reward,
      program,
    } = await programRewarding(
      'Refer and earn',
      {
        type: 'GIFT_VOUCHER',
        gift: { amount: 500 },
      },
      1000,
    );
    const referrer = await h.sdk.createCustomer({ source_id: 'rr-referrer', name: 'Ada' });
    await h.sdk.createCustomer({ source_id: 'rr-friend', name: 'Grace', email: 'grace@example.com' });
    // The customer_referred trigger writes to the referred customer, naming the program's code.
    const welcome = await request(h.app)
      .post('/v1/distributions')
      .set(h.t.auth)
      .send({
        name: 'Welcome, referred friend',
        trigger: { type: 'customer_referred', campaign_id: program.id },
        purpose: { type: 'plain' },
        consents: { verification: false, required: [] },
        channels: [
          { type: 'email', template: { subject: 'Welcome {{customer.name}}', text: 'code={{voucher.code}}' } },
        ],
      });
    expect(welcome.status).toBe(200);
    const referralCode = (await publish(program.id, 'rr-referrer')).voucher.code;
    const card = (await publish(giftCards.id, 'rr-referrer')).voucher.code;
    expect(await giftOf(card)).toMatchObject({ balance: 500 });

    const redeem = () =>
      h.sdk.client.redemptions.redeem(referralCode, {
        customer: { source_id: 'rr-friend' },
        order: { amount: 2000 },
      } as never) as unknown as Promise<{ id: string; referrer_id: string; referrer_reward: Record<string, unknown> }>;
    const first = await redeem();
    expect(first).toMatchObject({
      referrer_id: referrer.id,
      referrer_reward: {
        reward: { id: reward.id, type: 'CAMPAIGN' },
        status: 'CREDITED',
        amount: 1000,
        voucher: { code: card },
      },
    });
    expect(await giftOf(card)).toMatchObject({ amount: 1500, balance: 1500 });
    expect(await h.sdk.client.redemptions.get(first.id)).toMatchObject({ referrer_reward: { status: 'CREDITED' } });
    const [mail] = await inbox.server().waitFor(1, 30_000);
    expect(mail!.to).toEqual(['grace@example.com']);
    expect(mail!.subject).toBe('Welcome Grace');
    expect(mail!.text).toContain(`code=${referralCode}`);

    // A crash after the credit and before its record: the follow-up settles again, with the same keys.
    await h.t.ctx.models.Redemption.updateOne({ _id: first.id }, { $unset: { referrer_reward: 1 } });
    const again = new ReferralRewards(h.t.ctx.models, new BalanceService(h.t.ctx.models), h.t.ctx.publications);
    await again.settleMany([first.id]);
    await again.settleMany([first.id]);
    expect(await giftOf(card)).toMatchObject({ amount: 1500, balance: 1500 });
    expect(await h.sdk.client.redemptions.get(first.id)).toMatchObject({
      referrer_reward: { status: 'CREDITED', amount: 1000 },
    });

    // Each conversion is a reward of its own.
    await redeem();
    expect(await giftOf(card)).toMatchObject({ balance: 2500 });

    const rollback = (await h.sdk.client.redemptions.rollback(first.id)) as unknown as Record<string, unknown>;
    expect(rollback).toMatchObject({ result: 'SUCCESS', referrer_reward: { status: 'WITHDRAWN', amount: 1000 } });
    expect(await giftOf(card)).toMatchObject({ balance: 1500 });
    await again.settleMany([first.id]);
    expect(await giftOf(card)).toMatchObject({ balance: 1500 });

    // A second rollback is refused, and the refusal is recorded for the redeeming customer.
    await expect(h.sdk.client.redemptions.rollback(first.id)).rejects.toMatchObject({
      code: 400,
      key: 'already_rolled_back',
    });
    const friend = (await h.sdk.getCustomer('rr-friend')) as unknown as { id: string };
    const summary = await eventually(
      async () => {
        const s = await summaryOf(friend.id);
        return s.total_rollback_failed === 1 ? s : undefined;
      },
      15_000,
      'rollback failure counted',
    );
    expect(summary).toMatchObject({ total_rolled_back: 2, total_rollback_failed: 1, total_rollback_succeeded: 1 });
  });

  it('states why a rollback cannot withdraw credits the referrer already spent', async () => {
    const { cards: points, program } = await programRewarding(
      'Refer for points',
      {
        type: 'LOYALTY_CARD',
        loyalty_card: { points: 0 },
      },
      50,
    );
    await h.sdk.createCustomer({ source_id: 'pt-referrer' });
    await h.sdk.createCustomer({ source_id: 'pt-friend' });
    const referralCode = (await publish(program.id, 'pt-referrer')).voucher.code;
    // The referrer holds no card of the points campaign: crediting publishes one to them.
    const redemption = (await h.sdk.client.redemptions.redeem(referralCode, {
      customer: { source_id: 'pt-friend' },
    } as never)) as unknown as { id: string; referrer_reward: { voucher: { code: string }; amount: number } };
    expect(redemption.referrer_reward).toMatchObject({ status: 'CREDITED', amount: 50 });
    const card = redemption.referrer_reward.voucher.code;
    const cardJson = (await h.sdk.client.vouchers.get(card)) as unknown as {
      campaign_id: string;
      loyalty_card: { balance: number };
    };
    expect(cardJson).toMatchObject({ campaign_id: points.id, loyalty_card: { balance: 50 } });
    // The referrer spends 30 of the points: the rest cannot pay back 50.
    await h.sdk.client.vouchers.balance.create(card, { amount: -30 } as never);
    const rollback = (await h.sdk.client.redemptions.rollback(redemption.id)) as unknown as Record<string, unknown>;
    expect(rollback).toMatchObject({
      result: 'SUCCESS',
      referrer_reward: { status: 'NOT_WITHDRAWN', reason: expect.stringContaining('loyalty_card_points_exceeded') },
    });
    expect(
      ((await h.sdk.client.vouchers.get(card)) as unknown as { loyalty_card: { balance: number } }).loyalty_card,
    ).toMatchObject({ balance: 20 });
  });

  it('publishes a discount code to the referrer for a reward on a coupon campaign, and disables it on rollback', async () => {
    const { cards: coupons, program } = await programRewarding('Refer for a coupon', {
      type: 'DISCOUNT_VOUCHER',
      discount: { type: 'AMOUNT', amount_off: 300 },
    });
    const referrer = await h.sdk.createCustomer({ source_id: 'cp-referrer' });
    await h.sdk.createCustomer({ source_id: 'cp-friend' });
    const referralCode = (await publish(program.id, 'cp-referrer')).voucher.code;
    const redemption = (await h.sdk.client.redemptions.redeem(referralCode, {
      customer: { source_id: 'cp-friend' },
    } as never)) as unknown as { id: string; referrer_reward: { status: string; voucher: { code: string } } };
    expect(redemption.referrer_reward.status).toBe('CREDITED');
    const coupon = (await h.sdk.client.vouchers.get(redemption.referrer_reward.voucher.code)) as unknown as {
      campaign_id: string;
      holder_id: string;
      active: boolean;
    };
    expect(coupon).toMatchObject({ campaign_id: coupons.id, holder_id: referrer.id, active: true });
    const rollback = (await h.sdk.client.redemptions.rollback(redemption.id)) as unknown as Record<string, unknown>;
    expect(rollback).toMatchObject({ referrer_reward: { status: 'WITHDRAWN' } });
    expect(await h.sdk.client.vouchers.get(redemption.referrer_reward.voucher.code)).toMatchObject({ active: false });
  });
});
