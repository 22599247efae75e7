import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Channel, OutgoingMessage, SendResult } from '../../src/channels/channel';
import { createChannelRegistry } from '../../src/channels/registry';
import { WebhookChannel } from '../../src/channels/webhook';
import { defaultDistributionSettings } from '../../src/distributions/settings';
import { createLogger } from '../../src/logger';
import type { CustomerDoc } from '../../src/models/customer';
import { messageVariables } from '../../src/templates/message-variables';
import { expectedSignature, startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { customerDoc } from '../helpers/customer-doc';

const SECRET = 'whsec_test_4f1c9a0b7e';

const customer: CustomerDoc = customerDoc({
  _id: 'cust_hook',
  source_id: 'hook-1',
  source_id_key: 'hook-1',
  name: 'Linus',
  email: undefined,
  phone: '+4412345',
  metadata: { tier: 'gold' },
});

describe('webhook channel', () => {
  let hook: FakeWebhook;
  let webhook: Channel;
  const results: SendResult[] = [];

  const message = (id: string, url = hook.url): OutgoingMessage => ({
    id,
    customer,
    to: url,
    text: 'Your code: HOOK-1',
    variables: messageVariables({
      customer,
      distribution: { _id: 'dist_hook', name: 'Hooks' },
      voucher: { code: 'HOOK-1' },
    }),
    settings: { url },
  });
  const send = async (channel: Channel, m: OutgoingMessage): Promise<SendResult> => {
    const r = await channel.send(m);
    results.push(r);
    return r;
  };

  beforeAll(async () => {
    hook = await startFakeWebhook(SECRET);
    webhook = createChannelRegistry(
      { ...defaultDistributionSettings(), webhookSecret: SECRET },
      createLogger('silent'),
    ).get('webhook')!;
  });
  afterEach(() => hook.respond(undefined));
  afterAll(async () => {
    await hook.close();
    // Whatever went wrong, the signing secret is in no error text.
    expect(results.length).toBeGreaterThan(5);
    for (const r of results) expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('sends to the configured url whatever the customer contact, and validates the url', () => {
    expect(webhook.recipient(customer, { url: 'https://crm.test/in' })).toEqual({ to: 'https://crm.test/in' });
    expect(webhook.unsubscribeKey).toBe('webhook');
    expect(webhook.validateSettings({ url: 'https://crm.test/in' })).toEqual([]);
    expect(webhook.validateSettings({})).toEqual(['url is required']);
    expect(webhook.validateSettings({ url: 'ftp://crm.test' })).toEqual(['url must be an http or https URL']);
    expect(webhook.validateSettings({ url: 'not a url' })).toEqual(['url must be an http or https URL']);
  });

  it('POSTs a signed JSON body with the message id as Idempotency-Key', async () => {
    const result = await send(webhook, message('msg_dist_hook.manual.cust_hook.1'));
    expect(result).toEqual({ status: 'sent', providerMessageId: 'msg_dist_hook.manual.cust_hook.1' });
    const req = hook.requests.at(-1)!;
    expect(req.signatureValid).toBe(true);
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.idempotencyKey).toBe('msg_dist_hook.manual.cust_hook.1');
    expect(req.headers['x-promo-signature']).toBe(
      expectedSignature(SECRET, req.headers['x-promo-timestamp']!, req.raw),
    );
    expect(Math.abs(Number(req.headers['x-promo-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
    expect(req.body).toEqual({
      id: 'msg_dist_hook.manual.cust_hook.1',
      type: 'distribution.message',
      created_at: expect.any(String),
      customer: {
        id: 'cust_hook',
        source_id: 'hook-1',
        name: 'Linus',
        email: null,
        phone: '+4412345',
        metadata: { tier: 'gold' },
      },
      subject: null,
      text: 'Your code: HOOK-1',
      html: null,
      variables: expect.objectContaining({
        voucher: expect.objectContaining({ code: 'HOOK-1' }),
        distribution: { id: 'dist_hook', name: 'Hooks' },
      }),
    });
  });

  it('uses the receiver x-request-id as provider id, and a retried send is a duplicate the receiver can spot', async () => {
    hook.respond(() => ({ status: 202, headers: { 'x-request-id': 'rcv-77' } }));
    expect(await send(webhook, message('msg_dup'))).toEqual({ status: 'sent', providerMessageId: 'rcv-77' });
    const dupsBefore = hook.duplicates();
    await send(webhook, message('msg_dup'));
    expect(hook.duplicates()).toBe(dupsBefore + 1);
  });

  it('is refused by a receiver that holds another secret', async () => {
    const other = createChannelRegistry(
      { ...defaultDistributionSettings(), webhookSecret: 'another-secret' },
      createLogger('silent'),
    ).get('webhook')!;
    const result = await send(other, message('msg_badsig'));
    expect(result).toMatchObject({ status: 'permanent', error: expect.stringContaining('401') });
    expect(hook.all.at(-1)!.signatureValid).toBe(false);
  });

  it('signs with the current secret, and also with the previous one while WEBHOOK_SIGNING_SECRET is rotated', async () => {
    const rotating = createChannelRegistry(
      {
        ...defaultDistributionSettings(),
        webhookSecret: 'the-new-secret-0123456789abcdef',
        webhookPreviousSecret: SECRET,
      },
      createLogger('silent'),
    ).get('webhook')!;
    await send(rotating, message('msg_rotating'));
    const req = hook.all.at(-1)!;
    // This receiver still holds the old secret: the X-Promo-Signature-Previous header is what it can check.
    expect(req.headers['x-promo-signature']).toBe(
      expectedSignature('the-new-secret-0123456789abcdef', req.headers['x-promo-timestamp']!, req.raw),
    );
    expect(req.headers['x-promo-signature-previous']).toBe(
      expectedSignature(SECRET, req.headers['x-promo-timestamp']!, req.raw),
    );
    await send(webhook, message('msg_not_rotating'));
    expect(hook.all.at(-1)!.headers['x-promo-signature-previous']).toBeUndefined();
  });

  it('maps 429 with Retry-After: 7 to transient after 7000 ms', async () => {
    hook.script([{ status: 429, headers: { 'Retry-After': '7' } }]);
    expect(await send(webhook, message('msg_429'))).toEqual({
      status: 'transient',
      error: expect.stringContaining('429'),
      retryAfterMs: 7000,
    });
  });

  it('honours an HTTP-date Retry-After on a 503', async () => {
    hook.script([{ status: 503, headers: { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() } }]);
    const result = await send(webhook, message('msg_503'));
    expect(result.status).toBe('transient');
    expect(result.status === 'transient' && result.retryAfterMs).toBeGreaterThan(55_000);
  });

  it('maps 500 and 408 to transient without a wait of their own', async () => {
    hook.script([{ status: 500 }, { status: 408 }]);
    expect(await send(webhook, message('msg_500'))).toEqual({
      status: 'transient',
      error: expect.stringContaining('500'),
    });
    expect(await send(webhook, message('msg_408'))).toEqual({
      status: 'transient',
      error: expect.stringContaining('408'),
    });
  });

  it('maps 410 Gone and 400 to permanent', async () => {
    hook.respond((req) => (req.path === '/gone' ? { status: 410 } : undefined));
    const gone = new URL(hook.url);
    gone.pathname = '/gone';
    expect(await send(webhook, message('msg_410', gone.toString()))).toEqual({
      status: 'permanent',
      error: expect.stringContaining('410'),
    });
    hook.script([{ status: 400 }]);
    expect(await send(webhook, message('msg_400'))).toEqual({
      status: 'permanent',
      error: expect.stringContaining('400'),
    });
  });

  it('maps a receiver that does not answer in time to transient', async () => {
    const impatient = new WebhookChannel(SECRET, 300);
    hook.script([{ status: 200, delayMs: 1500 }]);
    const result = await send(impatient, message('msg_slow'));
    expect(result).toEqual({ status: 'transient', error: expect.stringContaining('no answer within 300 ms') });
  });

  it('maps a dropped connection and a refused connection to transient', async () => {
    hook.script([{ status: 200, reset: true }]);
    expect(await send(webhook, message('msg_reset'))).toMatchObject({ status: 'transient' });

    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const result = await send(webhook, message('msg_refused', `http://127.0.0.1:${port}/hook?token=abc`));
    expect(result).toEqual({ status: 'transient', error: expect.stringContaining('ECONNREFUSED') });
    expect(JSON.stringify(result)).not.toContain('token=abc');
  });
});
