import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BrazeChannel } from '../../src/channels/braze';
import type { ChannelAccount, OutgoingMessage } from '../../src/channels/channel';
import { MailchimpChannel, subscriberHash } from '../../src/channels/mailchimp';
import { SendGridChannel } from '../../src/channels/sendgrid';
import { WebhookChannel } from '../../src/channels/webhook';
import { createChannelRegistry } from '../../src/channels/registry';
import { defaultDistributionSettings } from '../../src/distributions/settings';
import { createLogger } from '../../src/logger';
import { setOutboundAllowHosts } from '../../src/outbound/address-policy';
import { installGuardedGlobalAgents } from '../../src/outbound/node-agents';
import { customerDoc } from '../helpers/customer-doc';

/** A local HTTP server that records every request and answers with `answer` (default 200 `{}`). */
async function receiver(
  answer: (req: http.IncomingMessage) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 }),
) {
  const seen: { method: string; path: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    req.resume();
    const { status, headers } = answer(req);
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end('{"id":"x","message":"success"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    seen,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const customer = customerDoc({
  _id: 'cust_guard',
  source_id: 'guard-1',
  source_id_key: 'guard-1',
  name: 'Ada',
  email: 'ada@example.com',
});
const message = (over: Partial<OutgoingMessage>): OutgoingMessage => ({
  id: 'msg_guard_1',
  customer,
  to: 'ada@example.com',
  subject: 's',
  text: 't',
  variables: { code: 'C-1' },
  settings: {},
  ...over,
});

describe('the outbound guard', () => {
  let target: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    target = await receiver();
  });
  afterAll(() => target.close());
  beforeEach(() => {
    target.seen.length = 0;
  });
  // Every other test file runs with the run's allowlist (test/setup/outbound-allowlist.ts); these switch it.
  afterEach(() => setOutboundAllowHosts(process.env.OUTBOUND_ALLOW_HOSTS));

  it('refuses a 127.0.0.1 webhook without the allowlist, at save time and at send time, and sends it with the allowlist', async () => {
    const webhook = new WebhookChannel('s3cret', 2000);
    setOutboundAllowHosts('');
    expect(webhook.validateSettings({ url: `${target.url}/hook` })).toEqual([
      expect.stringMatching(/^url is not reachable from this server: 127\.0\.0\.1 is a loopback address/),
    ]);
    expect(webhook.validateSettings({ url: `http://[::1]:${target.port}/hook` })).toEqual([
      expect.stringMatching(/loopback/),
    ]);
    expect(webhook.validateSettings({ url: 'http://169.254.169.254/latest/meta-data/' })).toEqual([
      expect.stringMatching(/cloud metadata/),
    ]);
    const refused = await webhook.send(message({ settings: { url: `${target.url}/hook` } }));
    expect(refused).toEqual({
      status: 'permanent',
      error: 'webhook: refused: 127.0.0.1 is a loopback address (OUTBOUND_ALLOW_HOSTS can open it)',
    });
    const byName = await webhook.send(message({ settings: { url: `http://localhost:${target.port}/hook` } }));
    expect(byName).toEqual({
      status: 'permanent',
      error: 'webhook: refused: localhost is a loopback name (OUTBOUND_ALLOW_HOSTS can open it)',
    });
    expect(target.seen).toEqual([]);

    setOutboundAllowHosts('127.0.0.1');
    expect(webhook.validateSettings({ url: `${target.url}/hook` })).toEqual([]);
    expect(await webhook.send(message({ settings: { url: `${target.url}/hook` } }))).toEqual({
      status: 'sent',
      providerMessageId: 'msg_guard_1',
    });
    expect(target.seen).toEqual([{ method: 'POST', path: '/hook' }]);
  });

  it("sends a provider's requests where PROVIDER_BASE_URLS points (through the registry), never where an account says", async () => {
    const registry = createChannelRegistry(
      { ...defaultDistributionSettings(), providerBaseUrls: { sendgrid: target.url } },
      createLogger('silent'),
    );
    const sendgrid = registry.get('sendgrid')!;
    const account: ChannelAccount = {
      id: 'acc_sg',
      credentials: { api_key: 'SG.registry-key-1' },
      settings: { from: 'promo@example.com', base_url: 'http://127.0.0.1:1' },
    };
    expect(await sendgrid.testConnection!(account)).toEqual({ ok: true });
    expect(target.seen).toEqual([{ method: 'GET', path: '/v3/scopes', authorization: 'Bearer SG.registry-key-1' }]);
    // The account's own base_url was never used, and is refused when an account is saved.
    expect(sendgrid.account!.validate(account)).toEqual([expect.stringMatching(/^base_url is not an account setting/)]);
  });

  it("reads at most a megabyte of an answer and never quotes a body that is not the provider's structured reason", async () => {
    const flooding = http.createServer((req, res) => {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/html' });
      const chunk = `<html>${'x'.repeat(64 * 1024)}`;
      let sent = 0;
      const more = (): void => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once('drain', more);
        else res.end();
      };
      more();
    });
    await new Promise<void>((resolve) => flooding.listen(0, '127.0.0.1', resolve));
    try {
      const sendgrid = new SendGridChannel({
        baseUrl: `http://127.0.0.1:${(flooding.address() as AddressInfo).port}`,
        timeoutMs: 5000,
      });
      const account: ChannelAccount = {
        id: 'acc_sg',
        credentials: { api_key: 'SG.flood-key-1' },
        settings: { from: 'promo@example.com' },
      };
      expect(await sendgrid.send(message({ account }))).toEqual({
        status: 'transient',
        error: 'sendgrid answered 500',
      });
      expect(await sendgrid.testConnection(account)).toEqual({ ok: false, error: 'sendgrid answered 500' });
    } finally {
      flooding.closeAllConnections();
      await new Promise<void>((resolve) => flooding.close(() => resolve()));
    }
  });

  it('never follows a redirect, so nothing reaches where it points', async () => {
    const redirecting = await receiver(() => ({ status: 307, headers: { location: `${target.url}/stolen` } }));
    try {
      const webhook = new WebhookChannel('s3cret', 2000);
      expect(await webhook.send(message({ settings: { url: `${redirecting.url}/hook` } }))).toEqual({
        status: 'permanent',
        error: 'webhook: refused: redirect refused (307)',
      });
      const sendgrid = new SendGridChannel({ baseUrl: redirecting.url, timeoutMs: 2000 });
      const account: ChannelAccount = {
        id: 'acc_sg',
        credentials: { api_key: 'SG.guard-key-123' },
        settings: { from: 'promo@example.com' },
      };
      expect(await sendgrid.send(message({ account }))).toEqual({
        status: 'permanent',
        error: 'sendgrid: refused: redirect refused (307)',
      });
      expect(await sendgrid.testConnection(account)).toEqual({
        ok: false,
        error: 'sendgrid: refused: redirect refused (307)',
      });
      const mailchimp = new MailchimpChannel({ baseUrl: redirecting.url, timeoutMs: 2000 });
      const mc: ChannelAccount = {
        id: 'acc_mc',
        credentials: { api_key: `${'a'.repeat(32)}-us19` },
        settings: { list_id: 'L1' },
      };
      expect(await mailchimp.send(message({ account: mc }))).toMatchObject({
        status: 'permanent',
        error: expect.stringMatching(/^mailchimp answered 307/),
      });
      // Braze's answer points at another port of the same host: not followed either.
      const braze = new BrazeChannel({ baseUrl: redirecting.url, timeoutMs: 2000 });
      const bz: ChannelAccount = {
        id: 'acc_bz',
        credentials: { api_key: 'braze-guard-key' },
        settings: { rest_endpoint: 'https://rest.iad-01.braze.com' },
      };
      expect(await braze.send(message({ account: bz }))).toEqual({
        status: 'permanent',
        error: 'braze: refused: redirect refused (307)',
      });
      expect(redirecting.seen.map((r) => r.method)).toEqual(['POST', 'POST', 'GET', 'PUT', 'POST']);
      expect(target.seen).toEqual([]);
    } finally {
      await redirecting.close();
    }
  });

  it('guards the Mailchimp SDK (its own agent) and Braze like every provider', async () => {
    installGuardedGlobalAgents();
    setOutboundAllowHosts('');
    const mc: ChannelAccount = {
      id: 'acc_mc',
      credentials: { api_key: `${'a'.repeat(32)}-us19` },
      settings: { list_id: 'L1' },
    };
    expect(await new MailchimpChannel({ baseUrl: target.url, timeoutMs: 2000 }).send(message({ account: mc }))).toEqual(
      { status: 'permanent', error: 'mailchimp: refused by the outbound guard (address not allowed)' },
    );
    const braze: ChannelAccount = {
      id: 'acc_bz',
      credentials: { api_key: 'braze-guard-key' },
      settings: { rest_endpoint: 'https://rest.iad-01.braze.com' },
    };
    const viaLocalhost = new BrazeChannel({ baseUrl: `http://localhost:${target.port}`, timeoutMs: 2000 });
    expect(await viaLocalhost.send(message({ account: braze }))).toEqual({
      status: 'permanent',
      error: 'braze: refused: localhost is a loopback name (OUTBOUND_ALLOW_HOSTS can open it)',
    });
    expect(target.seen).toEqual([]);

    setOutboundAllowHosts('127.0.0.1,localhost');
    expect(
      await new MailchimpChannel({ baseUrl: target.url, timeoutMs: 2000 }).send(message({ account: mc })),
    ).toMatchObject({ status: 'sent' });
    expect(
      await new BrazeChannel({ baseUrl: target.url, timeoutMs: 2000 }).send(message({ account: braze })),
    ).toMatchObject({ status: 'sent' });
    expect(target.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /3.0/lists/L1/members/${subscriberHash('ada@example.com')}`,
      'POST /users/track',
    ]);
  });
});
