import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../src/channels/secrets';
import { deliverToCustomers } from '../../src/distributions/delivery';
import { newId } from '../../src/ids';
import type { DistributionDoc } from '../../src/models/distribution';
import { FakeKeyChannel, startFakeKeyProvider, type FakeKeyProvider } from '../helpers/fake-key-channel';
import { startFakeWebhook } from '../helpers/fake-webhook';
import { useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('distributions sending through channel accounts', () => {
  const KEY = 'fk_distribution_key_4242';
  const SIGNING = 'sig_distribution_secret_77';
  const REVOKED = 'fk_revoked_key_31337';
  let provider: FakeKeyProvider;
  beforeAll(async () => {
    provider = await startFakeKeyProvider([KEY]);
  });
  afterAll(async () => provider?.close());
  const h = useServiceHarness('distchan', {
    channels: [new FakeKeyChannel('fakekey'), new FakeKeyChannel('fakeother')],
  });

  async function api(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Json; text: string }> {
    const res = await fetch(`${h.sdk.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...h.t.auth },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  }

  const createAccount = async (type = 'fakekey', apiKey = KEY): Promise<string> => {
    const res = await api('POST', '/v1/channels', {
      type,
      name: `${type} account`,
      credentials: { api_key: apiKey, signing_secret: SIGNING },
      settings: { base_url: provider.url },
    });
    expect(res.status).toBe(200);
    return res.body.id as string;
  };
  const fakeChannel = (channelId: string | undefined, type = 'fakekey') => ({
    type,
    ...(channelId ? { channel_id: channelId } : {}),
    template: { subject: 'Hello', text: 'Hi {{customer.name}}' },
  });
  const manual = (customerId: string, channels: unknown[]) => ({
    name: 'Via fake provider',
    trigger: { type: 'manual' },
    purpose: { type: 'plain' },
    audience: { type: 'customer', customer_id: customerId },
    consents: { verification: false },
    grace_period_seconds: 0,
    channels,
  });

  let customerId: string;
  beforeAll(async () => {
    const c = await api('POST', '/v1/customers', { source_id: newId('src'), name: 'Ada', email: 'ada@example.com' });
    expect(c.status).toBe(200);
    customerId = c.body.id as string;
  });

  /** A distribution document as saved earlier, handed straight to the delivery pipeline. */
  const storedDistribution = (channelId: string): DistributionDoc => ({
    _id: newId('distr'),
    name: 'Stored',
    trigger: { type: 'manual' },
    purpose: { type: 'plain' },
    audience: { type: 'customer', customer_id: customerId },
    consents: { verification: false, required: [] },
    channels: [
      {
        type: 'fakekey',
        channel_id: channelId,
        settings: {},
        template: { subject: 'Hello', text: 'Hi {{customer.name}}' },
      },
    ],
    status: 'completed',
    metadata: {},
    version: 1,
    created_at: new Date(),
    updated_at: new Date(),
  });

  it('sends a manual distribution through the account with its decrypted key', async () => {
    const channelId = await createAccount();
    const created = await api('POST', '/v1/distributions', manual(customerId, [fakeChannel(channelId)]));
    expect(created.status).toBe(200);
    expect(created.body.channels[0]).toMatchObject({ type: 'fakekey', channel_id: channelId });
    const id = created.body.id as string;
    await eventually(
      async () => ((await h.t.ctx.models.Distribution.findById(id).lean())?.status === 'completed' ? true : undefined),
      60_000,
      'distribution completed',
    );

    const sends = provider.requests.filter((r) => r.path === '/send');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      method: 'POST',
      authorization: `Bearer ${KEY}`,
      body: { to: 'ada@example.com', subject: 'Hello', text: 'Hi Ada' },
    });
    const messages = await h.t.ctx.models.DistributionMessage.find({ distribution_id: id }).lean();
    expect(messages).toEqual([
      expect.objectContaining({
        status: 'sent',
        channel_type: 'fakekey',
        provider_message_id: expect.stringMatching(/^fk-msg-/),
      }),
    ]);
  });

  it('signs a webhook with the secret of its own channel account, stored encrypted, and with the deployment secret without one', async () => {
    const own = 'whsec_this_receivers_own_secret_0123456789';
    const hook = await startFakeWebhook(own);
    try {
      const weak = await api('POST', '/v1/channels', {
        type: 'webhook',
        name: 'weak',
        credentials: { signing_secret: 'short' },
      });
      expect(weak.status).toBe(400);
      const account = await api('POST', '/v1/channels', {
        type: 'webhook',
        name: 'CRM receiver',
        credentials: { signing_secret: own },
      });
      expect(account.status).toBe(200);
      expect(account.text).not.toContain(own);
      const raw = await h.t.ctx.models.ChannelAccount.findById(account.body.id).lean();
      expect(JSON.stringify(raw)).not.toContain(own);

      const withOwn = await api(
        'POST',
        '/v1/distributions',
        manual(customerId, [
          { type: 'webhook', channel_id: account.body.id, settings: { url: hook.url }, template: { text: 'own' } },
        ]),
      );
      expect(withOwn.status).toBe(200);
      const [first] = await hook.waitFor(1, 60_000);
      expect(first!.signatureValid).toBe(true);
      expect(first!.headers['x-promo-signature-previous']).toBeUndefined();

      // Without channel_id the deployment's WEBHOOK_SIGNING_SECRET signs, which this receiver does not hold.
      const without = await api(
        'POST',
        '/v1/distributions',
        manual(customerId, [{ type: 'webhook', settings: { url: hook.url }, template: { text: 'shared' } }]),
      );
      expect(without.status).toBe(200);
      await eventually(async () => (hook.all.length >= 2 ? true : undefined), 60_000, 'second webhook request');
      expect(hook.all[1]!.signatureValid).toBe(false);
    } finally {
      await hook.close();
    }
  });

  it('refuses a distribution whose channel names no account, a missing one or one of another type', async () => {
    const other = await createAccount('fakeother');
    const mine = await createAccount('fakekey');
    const cases: [unknown, RegExp][] = [
      [fakeChannel(undefined), /fakekey sends through a provider account: give channel_id/],
      [fakeChannel('chan_nosuch'), /channel chan_nosuch not found/],
      [fakeChannel(other), new RegExp(`channel ${other} is a fakeother account, not fakekey`)],
      [
        { type: 'email', channel_id: mine, template: { subject: 'x', text: 'x' } },
        /email sends without an account; omit channel_id/,
      ],
      [
        { type: 'webhook', channel_id: mine, settings: { url: 'http://127.0.0.1:9/hook' }, template: { text: 'x' } },
        new RegExp(`channel ${mine} is a fakekey account, not webhook`),
      ],
    ];
    const before = await h.t.ctx.models.Distribution.countDocuments();
    for (const [channel, reason] of cases) {
      const res = await api('POST', '/v1/distributions', manual(customerId, [channel]));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'channels.0.channel_id', reason: expect.stringMatching(reason) }]);
    }
    expect(await h.t.ctx.models.Distribution.countDocuments()).toBe(before);

    // An edit is checked the same way.
    const automatic = await api('POST', '/v1/distributions', {
      name: 'Auto',
      trigger: { type: 'order_paid' },
      purpose: { type: 'plain' },
      consents: { verification: false },
      channels: [fakeChannel(mine)],
    });
    expect(automatic.status).toBe(200);
    const edit = await api('PUT', `/v1/distributions/${automatic.body.id}`, { channels: [fakeChannel(other)] });
    expect(edit.status).toBe(400);
    expect(edit.body.errors[0].field).toBe('channels.0.channel_id');
    await api('POST', `/v1/distributions/${automatic.body.id}/cancel`);
  });

  it("fails the channel's messages with channel_account_missing when the account was deleted after the distribution was saved", async () => {
    const channelId = await createAccount();
    await h.t.ctx.models.ChannelAccount.deleteOne({ _id: channelId });
    const distribution = storedDistribution(channelId);
    const seen = provider.requests.length;
    const outcome = await deliverToCustomers(h.t.ctx, { distribution, run: 'manual', customerIds: [customerId] });
    expect(outcome.counts).toMatchObject({ sent: 0, failed: 1, queued: 0 });
    const [message] = await h.t.ctx.models.DistributionMessage.find({ distribution_id: distribution._id }).lean();
    expect(message).toMatchObject({ status: 'failed', reason: 'channel_account_missing' });
    expect(provider.requests.length).toBe(seen);
  });

  it('fails the messages with channel_credentials_undecryptable when the credentials were encrypted under another key', async () => {
    const channelId = await createAccount();
    const foreign = new SecretBox(randomBytes(32)).seal({ api_key: KEY, signing_secret: SIGNING });
    await h.t.ctx.models.ChannelAccount.collection.updateOne(
      { _id: channelId as never },
      { $set: { credentials_encrypted: foreign } },
    );
    const distribution = storedDistribution(channelId);
    const seen = provider.requests.length;
    const outcome = await deliverToCustomers(h.t.ctx, { distribution, run: 'manual', customerIds: [customerId] });
    expect(outcome.counts).toMatchObject({ sent: 0, failed: 1 });
    const [message] = await h.t.ctx.models.DistributionMessage.find({ distribution_id: distribution._id }).lean();
    expect(message).toMatchObject({ status: 'failed', reason: 'channel_credentials_undecryptable' });
    expect(provider.requests.length).toBe(seen);
    // Operators are told which account, never the blob.
    expect(h.t.logs.text).toContain(channelId);
    expect(h.t.logs.text).not.toContain(foreign.data);
  });

  it('keeps a refused key out of the stored error and the logs', async () => {
    const channelId = await createAccount('fakekey', REVOKED);
    const distribution = storedDistribution(channelId);
    await h.t.ctx.models.Distribution.create(distribution);
    const outcome = await deliverToCustomers(h.t.ctx, { distribution, run: 'manual', customerIds: [customerId] });
    expect(outcome.counts).toMatchObject({ failed: 1 });
    expect(provider.requests.at(-1)).toMatchObject({ path: '/send', authorization: `Bearer ${REVOKED}` });
    const [message] = await h.t.ctx.models.DistributionMessage.find({ distribution_id: distribution._id }).lean();
    expect(message).toMatchObject({
      status: 'failed',
      reason: 'permanent_error',
      error: '401 {"error":"invalid api key ••••"}',
    });
    const report = await api('GET', `/v1/distributions/${distribution._id}/messages`);
    expect(report.status).toBe(200);
    expect(report.body.data[0].error).toBe('401 {"error":"invalid api key ••••"}');
    expect(report.text).not.toContain(REVOKED);
  });

  it('never logged a credential', () => {
    for (const s of [KEY, SIGNING, REVOKED]) expect(h.t.logs.text).not.toContain(s);
  });
});
