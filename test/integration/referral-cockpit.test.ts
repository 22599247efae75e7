import request from 'supertest';
import { cockpitUrl } from '../../src/templates/signed-links';
import { useFakeSmtp } from '../helpers/fake-smtp';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

interface CustomerJson {
  id: string;
  loyalty: {
    points: number;
    referred_customers: number;
    campaigns: Record<string, { points?: number; referred_customers?: number }>;
  };
  referrals: {
    total: number;
    campaigns: Array<{
      campaign_id: string;
      referrer_id: string;
      related_object_id: string;
      related_object_type: string;
    }>;
  };
}

/** The template every check renders: each customer-data variable once, one per line. */
const TEXT = [
  'name={{customer.name}}',
  'birthdate={{customer.birthdate}}',
  'city={{customer.address.city}}',
  'postal={{customer.address.postal_code}}',
  'score={{customer.loyalty.points}}',
  'referred={{customer.loyalty.referred_customers}}',
  'referral_reward={{referral.reward}}',
  'referral_reward_name={{referral.reward_name}}',
  'cockpit={{cockpit_url}}',
].join('\n');

describe('referral programs, customer-data variables and the customer cockpit, through the SDK', () => {
  const inbox = useFakeSmtp();
  const { settings } = inbox;
  const h = useServiceHarness('refer', { settings });

  const getCustomer = async (id: string) => (await h.sdk.getCustomer(id)) as unknown as CustomerJson;
  const line = (text: string, key: string) =>
    text
      .split(/\r?\n/)
      .find((l) => l.startsWith(`${key}=`))
      ?.slice(key.length + 1)
      .trim();
  /** The cockpit link's path and query, to request from the app itself. */
  const local = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };

  it('credits the referrer, sends the reward_redeemed message with the reward value, fills every variable and serves the cockpit', async () => {
    const tote = (await h.sdk.client.rewards.create({
      name: 'Friend bonus',
      type: 'MATERIAL',
      parameters: { product: { id: 'prod_tote' } },
      attributes: { description: 'A tote bag' },
    } as never)) as unknown as { id: string };
    const program = await createCampaign(h.sdk, {
      name: 'Refer a friend',
      campaign_type: 'REFERRAL_PROGRAM',
      type: 'AUTO_UPDATE',
      vouchers_count: 2,
      referral_program: { conversion_event_type: 'redemption', referrer_reward: { id: tote.id } },
      voucher: {
        type: 'DISCOUNT_VOUCHER',
        discount: { type: 'PERCENT', percent_off: 10 },
        redemption: { quantity: null },
      },
    });
    expect(await h.sdk.client.campaigns.get(program.id)).toMatchObject({
      campaign_type: 'REFERRAL_PROGRAM',
      referral_program: {
        conversion_event_type: 'redemption',
        referrer_reward: { id: tote.id, name: 'Friend bonus', value: 'A tote bag' },
      },
      voucher: { is_referral_code: true },
    });
    // Only redemption conversions exist here; a referral program needs discount codes.
    await expect(
      h.sdk.client.campaigns.create({
        name: 'By event',
        campaign_type: 'REFERRAL_PROGRAM',
        referral_program: { conversion_event_type: 'custom_event', custom_event: { id: 'e', name: 'signup' } },
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
      } as never),
    ).rejects.toMatchObject({ code: 400 });
    await expect(
      h.sdk.client.campaigns.create({
        name: 'Gift referral',
        campaign_type: 'REFERRAL_PROGRAM',
        voucher: { type: 'GIFT_VOUCHER', gift: { amount: 100 } },
      } as never),
    ).rejects.toMatchObject({ code: 400, key: 'invalid_campaign_params' });
    const club = await createCampaign(h.sdk, {
      name: 'Referral club',
      campaign_type: 'LOYALTY_PROGRAM',
      type: 'AUTO_UPDATE',
      vouchers_count: 1,
      voucher: { type: 'LOYALTY_CARD', loyalty_card: { points: 120 } },
    });

    const referrer = await h.sdk.createCustomer({
      source_id: 'referrer-1',
      name: 'Ada',
      email: 'ada@example.com',
      birthdate: '1990-04-12',
      address: { city: 'Berlin', postal_code: '10119' },
    });
    const referee = await h.sdk.createCustomer({ source_id: 'referee-1', name: 'Grace', email: 'grace@example.com' });
    const other = await h.sdk.createCustomer({ source_id: 'referee-2', name: 'Linus', email: 'linus@example.com' });

    const distribution = await request(h.app)
      .post('/v1/distributions')
      .set(h.t.auth)
      .send({
        name: 'Referral reward notice',
        trigger: { type: 'reward_redeemed', campaign_id: program.id },
        purpose: { type: 'plain' },
        consents: { verification: false, required: [] },
        channels: [
          {
            type: 'email',
            template: {
              subject: 'You earned {{reward.name}}',
              text: `reward_value={{reward.value}}\nreward_type={{reward.type}}\n${TEXT}`,
            },
          },
        ],
      });
    expect(distribution.status).toBe(200);

    const publish = (campaign: string, customer: string) =>
      h.sdk.client.distributions.publications.create({ campaign, customer } as never) as Promise<{
        voucher: { code: string };
      }>;
    const referralCode = (await publish(program.id, 'referrer-1')).voucher.code;
    const card = (await publish(club.id, 'referrer-1')).voucher.code;
    const otherCode = (await publish(program.id, 'referee-2')).voucher.code;

    // The referrer cannot convert their own code, and a referrer who does not hold the code is refused.
    await expect(
      h.sdk.client.redemptions.redeem(referralCode, { customer: { source_id: 'referrer-1' } } as never),
    ).rejects.toMatchObject({ code: 400, key: 'referrer_not_permitted_to_redeem' });
    await expect(
      h.sdk.client.redemptions.redeem(referralCode, {
        customer: { source_id: 'referee-1' },
        referrer: { source_id: 'referee-2' },
      } as never),
    ).rejects.toMatchObject({ code: 400, key: 'invalid_referrer' });

    const redemption = (await h.sdk.client.redemptions.redeem(referralCode, {
      customer: { source_id: 'referee-1' },
      referrer: { source_id: 'referrer-1' },
      order: { amount: 5000 },
    } as never)) as unknown as { id: string; result: string; referrer_id: string; amount: number };
    expect(redemption).toMatchObject({ result: 'SUCCESS', referrer_id: referrer.id, amount: 500 });
    expect(await h.sdk.client.redemptions.get(redemption.id)).toMatchObject({
      referrer_id: referrer.id,
      customer_id: referee.id,
    });

    // The referrer is credited (referred_customers), the referee shows who referred them.
    const credited = await eventually(
      async () => {
        const c = await getCustomer(referrer.id);
        return c.loyalty.referred_customers === 1 && c.loyalty.points === 120 ? c : undefined;
      },
      15_000,
      'referrer credited',
    );
    expect(credited.loyalty.campaigns[program.id]).toEqual({ referred_customers: 1 });
    const referred = await eventually(
      async () => {
        const c = await getCustomer(referee.id);
        return c.referrals.total === 1 ? c : undefined;
      },
      15_000,
      'referee referrals',
    );
    expect(referred.referrals.campaigns).toEqual([
      expect.objectContaining({
        campaign_id: program.id,
        referrer_id: referrer.id,
        related_object_id: redemption.id,
        related_object_type: 'redemption',
      }),
    ]);
    expect((await getCustomer(other.id)).loyalty.referred_customers).toBe(0);

    // The reward_redeemed distribution sends the referrer the reward's value; every variable is filled.
    const [mail] = await inbox.server().waitFor(1, 30_000);
    expect(mail!.to).toEqual(['ada@example.com']);
    expect(mail!.subject).toBe('You earned Friend bonus');
    expect(line(mail!.text, 'reward_value')).toBe('A tote bag');
    expect(line(mail!.text, 'reward_type')).toBe('MATERIAL');
    expect(line(mail!.text, 'name')).toBe('Ada');
    expect(line(mail!.text, 'birthdate')).toBe('1990-04-12');
    expect(line(mail!.text, 'city')).toBe('Berlin');
    expect(line(mail!.text, 'postal')).toBe('10119');
    expect(line(mail!.text, 'score')).toBe('120');
    // The message may be composed before or after the referrer's summary follow-up ran: the preview below checks the count.
    expect(['0', '1']).toContain(line(mail!.text, 'referred'));
    expect(line(mail!.text, 'referral_reward')).toBe('A tote bag');
    expect(line(mail!.text, 'referral_reward_name')).toBe('Friend bonus');
    const sentCockpit = line(mail!.text, 'cockpit')!;
    expect(sentCockpit).toMatch(/\/public\/cockpit\?c=cust_[^&]+&exp=\d+&sig=/);

    // The same variables in a preview with the referral code in play.
    const preview = await request(h.app)
      .post('/v1/templates/preview')
      .set(h.t.auth)
      .send({
        template: { subject: 'Your codes', text: TEXT },
        channel_type: 'email',
        customer_id: 'referrer-1',
        voucher_code: referralCode,
      });
    expect(preview.body).toMatchObject({ channel_type: 'email' });
    expect(preview.status).toBe(200);
    const text = preview.body.text as string;
    expect([
      line(text, 'name'),
      line(text, 'birthdate'),
      line(text, 'city'),
      line(text, 'score'),
      line(text, 'referred'),
      line(text, 'referral_reward'),
      line(text, 'referral_reward_name'),
    ]).toEqual(['Ada', '1990-04-12', 'Berlin', '120', '1', 'A tote bag', 'Friend bonus']);
    const previewCockpit = line(text, 'cockpit')!;

    // The cockpit shows the referrer's active codes with QR images, balances and points, and nothing of others.
    for (const link of [sentCockpit, previewCockpit]) {
      const page = await request(h.app).get(local(link));
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain(referralCode);
      expect(page.text).toContain(card);
      expect(page.text).toContain('Points: 120');
      expect(page.text).toContain('Discount: 10%');
      expect(page.text).toMatch(/Loyalty points: <strong>120<\/strong>/);
      expect(page.text).not.toContain(otherCode);
      const qr = /<img src="([^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
      const image = await request(h.app).get(qr);
      expect(image.status).toBe(200);
      expect(image.headers['content-type']).toBe('image/png');
    }

    // Tampered (another customer, a later expiry, a changed signature) or expired links get 403 and show no code.
    const u = new URL(sentCockpit);
    const tamper = (key: string, value: string) => {
      const t = new URL(u);
      t.searchParams.set(key, value);
      return `${t.pathname}${t.search}`;
    };
    const expired = cockpitUrl(
      { publicUrl: 'http://x', signingKey: h.t.ctx.settings.linkSigningKey, cockpitTtlSeconds: 60 },
      referrer.id,
      new Date(Date.now() - 3_600_000),
    );
    for (const bad of [
      tamper('c', other.id),
      tamper('exp', String(Number(u.searchParams.get('exp')) + 86_400)),
      tamper('sig', 'A'.repeat(32)),
      local(expired),
      '/public/cockpit',
    ]) {
      const refused = await request(h.app).get(bad);
      expect(refused.status).toBe(403);
      expect(refused.text).not.toContain(referralCode);
    }
  });
});
