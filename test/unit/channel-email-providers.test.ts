import path from 'node:path';
import type { ChannelAccount, OutgoingMessage, SendResult } from '../../src/channels/channel';
import { MailgunChannel } from '../../src/channels/mailgun';
import { MandrillChannel } from '../../src/channels/mandrill';
import { SendGridChannel } from '../../src/channels/sendgrid';
import type { CustomerDoc } from '../../src/models/customer';
import { customerDoc } from '../helpers/customer-doc';
import { openApiValidator, startFakeProvider, type FakeProvider, type ProviderRequest } from '../helpers/fake-provider';
import { loadOpenApi, validateRequest, type OpenApiSpec } from '../helpers/openapi-validator';

const SPECS = path.resolve(__dirname, '../fixtures/provider-specs');
const customer: CustomerDoc = customerDoc({ _id: 'cust_mail', email: 'ada@example.com' });

/** Every error text any adapter produced in this file; none may carry a credential. */
/** The accounts' credentials below: no error a provider call reports may carry one. */
const SECRETS = ['SG.sendgrid-secret-key-123', 'md-mandrill-secret-456', 'key-mailgun-secret-789'];
/** Checks, in the test that got it, that an error result carries no credential, whatever order the tests run in. */
function record<T extends SendResult | { ok: boolean; error?: string }>(result: T): T {
  const error = 'error' in result && typeof result.error === 'string' ? result.error : '';
  for (const secret of SECRETS) expect(error).not.toContain(secret);
  return result;
}

function message(
  account: ChannelAccount | undefined,
  id: string,
  to = 'ada@example.com',
  html = '<p>Your code: <b>MAIL-1</b></p>',
): OutgoingMessage {
  return {
    id,
    customer,
    to,
    subject: 'Your code',
    html,
    text: 'Your code: MAIL-1',
    variables: { voucher: { code: 'MAIL-1' } },
    settings: {},
    ...(account ? { account } : {}),
  };
}

/** Validation against the spec, except operations the trimmed spec files leave out (checked by hand instead). */
function validatorExcept(
  spec: OpenApiSpec,
  skip: (req: ProviderRequest) => boolean,
): (req: ProviderRequest) => string[] {
  const check = openApiValidator(spec);
  return (req) => (skip(req) ? [] : check(req));
}

describe('SendGrid channel', () => {
  const API_KEY = 'SG.sendgrid-secret-key-123';
  let fake: FakeProvider;
  let account: ChannelAccount;
  let channel: SendGridChannel;

  beforeAll(async () => {
    const spec = await loadOpenApi(`${SPECS}/sendgrid/sendgrid_mail_v3.openapi.json`);
    fake = await startFakeProvider({
      validate: validatorExcept(spec, (r) => r.path === '/v3/scopes'),
      defaultResponse: { status: 202 },
    });
    account = {
      id: 'acc_sg',
      credentials: { api_key: API_KEY },
      settings: { from: 'promo@shop.example', from_name: 'Shop' },
    };
    channel = new SendGridChannel({ baseUrl: fake.url, timeoutMs: 2000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('has a fake that refuses and records a request its spec refuses', async () => {
    const res = await fetch(`${fake.url}/v3/mail/send`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: 'x' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: string[] };
    expect(body.problems.join('\n')).toContain("must have required property 'personalizations'");
    expect(fake.requests[0]?.problems).toEqual(body.problems);
  });

  it('validates the account: from address and api key required', () => {
    expect(channel.account.validate({ credentials: {}, settings: { from: 'nope' } })).toEqual([
      'credential api_key is required',
      'from must be an email address',
    ]);
    expect(channel.account.validate({ credentials: { api_key: 'k' }, settings: { from: 'a@b.example' } })).toEqual([]);
  });

  it('sends a valid mail/send request and maps X-Message-Id', async () => {
    fake.script([{ status: 202, headers: { 'X-Message-Id': 'sg-msg-1' } }]);
    const result = await channel.send(message(account, 'msg_sg_1'));
    expect(result).toEqual({ status: 'sent', providerMessageId: 'sg-msg-1' });
    const [req] = fake.requests;
    expect(req?.problems).toEqual([]);
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v3/mail/send');
    expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req?.body).toMatchObject({
      personalizations: [{ to: [{ email: 'ada@example.com' }], custom_args: { message_id: 'msg_sg_1' } }],
      from: { email: 'promo@shop.example', name: 'Shop' },
      subject: 'Your code',
      content: [
        { type: 'text/plain', value: 'Your code: MAIL-1' },
        { type: 'text/html', value: '<p>Your code: <b>MAIL-1</b></p>' },
      ],
    });
  });

  it('maps 429 with Retry-After to transient with retryAfterMs', async () => {
    fake.script([
      {
        status: 429,
        headers: { 'Retry-After': '12' },
        body: { errors: [{ field: null, message: 'too many requests' }] },
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_sg_2')))).toEqual({
      status: 'transient',
      error: 'sendgrid answered 429: too many requests',
      retryAfterMs: 12_000,
    });
  });

  it('maps 429 with X-RateLimit-Reset (epoch seconds) to retryAfterMs', async () => {
    const reset = Math.floor(Date.now() / 1000) + 30;
    fake.script([
      {
        status: 429,
        headers: { 'X-RateLimit-Reset': String(reset) },
        body: { errors: [{ message: 'too many requests' }] },
      },
    ]);
    const result = record(await channel.send(message(account, 'msg_sg_3')));
    expect(result.status).toBe('transient');
    expect(result.status === 'transient' ? result.retryAfterMs : 0).toBeGreaterThan(25_000);
    expect(result.status === 'transient' ? result.retryAfterMs : 0).toBeLessThanOrEqual(31_000);
  });

  it('maps a 5xx to transient', async () => {
    fake.script([{ status: 503, body: 'upstream unavailable' }]);
    expect(record(await channel.send(message(account, 'msg_sg_4')))).toEqual({
      status: 'transient',
      error: 'sendgrid answered 503: upstream unavailable',
    });
  });

  it('maps a 400 to permanent with the provider reason', async () => {
    fake.script([
      {
        status: 400,
        body: { errors: [{ field: 'personalizations.0.to.0.email', message: 'Does not contain a valid address.' }] },
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_sg_5')))).toEqual({
      status: 'permanent',
      error: 'sendgrid answered 400: personalizations.0.to.0.email: Does not contain a valid address.',
    });
  });

  it('keeps credentials out of an error text even when the provider echoes them', async () => {
    fake.script([
      { status: 401, body: { errors: [{ message: `The provided authorization grant ${API_KEY} is invalid` }] } },
    ]);
    const result = record(await channel.send(message(account, 'msg_sg_6')));
    expect(result.status).toBe('permanent');
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });

  it('skips customers without an email and fails a message without an account', async () => {
    expect(channel.recipient(customerDoc({ email: undefined }), {})).toEqual({ skip: 'missing_email' });
    expect(channel.recipient(customer, {})).toEqual({ to: 'ada@example.com' });
    expect(await channel.send(message(undefined, 'msg_sg_7'))).toEqual({
      status: 'permanent',
      error: 'no channel account',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('tests the connection with GET /v3/scopes: ok, and 401 → not ok', async () => {
    fake.script([
      { status: 200, body: { scopes: ['mail.send'] } },
      { status: 401, body: { errors: [{ message: 'authorization required' }] } },
    ]);
    expect(await channel.testConnection(account)).toEqual({ ok: true });
    expect(record(await channel.testConnection(account))).toEqual({
      ok: false,
      error: 'sendgrid answered 401: authorization required',
    });
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([
      `GET /v3/scopes Bearer ${API_KEY}`,
      `GET /v3/scopes Bearer ${API_KEY}`,
    ]);
  });

  it('batches messages of one content in one request, a personalization each, and fails a bad address alone', async () => {
    fake.script([{ status: 202, headers: { 'X-Message-Id': 'sg-batch' } }]);
    const batch = [
      message(account, 'msg_b1', 'a@example.com'),
      message(account, 'msg_b2', 'b@example.com'),
      message(account, 'msg_b3', 'not-an-address'),
      message(account, 'msg_b4', 'd@example.com'),
    ];
    const results = await channel.sendBatch(batch);
    expect(results).toEqual([
      { status: 'sent', providerMessageId: 'sg-batch' },
      { status: 'sent', providerMessageId: 'sg-batch' },
      { status: 'permanent', error: 'sendgrid: invalid recipient address' },
      { status: 'sent', providerMessageId: 'sg-batch' },
    ]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.problems).toEqual([]);
    expect((fake.requests[0]!.body as { personalizations: unknown[] }).personalizations).toEqual([
      { to: [{ email: 'a@example.com' }], custom_args: { message_id: 'msg_b1' } },
      { to: [{ email: 'b@example.com' }], custom_args: { message_id: 'msg_b2' } },
      { to: [{ email: 'd@example.com' }], custom_args: { message_id: 'msg_b4' } },
    ]);
  });

  it('sends messages of different content in a batch separately, results in order', async () => {
    fake.script([
      { status: 202, headers: { 'X-Message-Id': 'one' } },
      { status: 400, body: { errors: [{ message: 'bad' }] } },
    ]);
    const results = await channel.sendBatch([
      message(account, 'msg_c1', 'a@example.com', '<p>A</p>'),
      message(account, 'msg_c2', 'b@example.com', '<p>B</p>'),
    ]);
    expect(results).toEqual([
      { status: 'sent', providerMessageId: 'one' },
      record({ status: 'permanent', error: 'sendgrid answered 400: bad' }),
    ]);
    expect(fake.requests).toHaveLength(2);
  });

  it('maps a provider that does not answer in time to transient', async () => {
    const slow = new SendGridChannel({ baseUrl: fake.url, timeoutMs: 200 });
    fake.script([{ status: 202, delayMs: 600 }]);
    expect(record(await slow.send(message(account, 'msg_sg_8')))).toEqual({
      status: 'transient',
      error: 'sendgrid: no answer within 200 ms',
    });
  });
});

describe('Mandrill channel', () => {
  const API_KEY = 'md-mandrill-secret-456';
  let fake: FakeProvider;
  let account: ChannelAccount;
  let channel: MandrillChannel;

  beforeAll(async () => {
    // Mandrill's file puts `additionalProperties: false` on the `key` schema it combines (allOf)
    // with every request body, which would refuse any real request; dropped for the check.
    const spec = await loadOpenApi(`${SPECS}/mandrill/transactional.openapi.json`, {
      patch: (doc) => {
        const schemas = (doc.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
        delete schemas.ApiKey?.additionalProperties;
      },
    });
    expect(
      validateRequest(spec, {
        method: 'POST',
        path: '/api/1.0/messages/send',
        contentType: 'application/json',
        body: { key: 'k', message: { to: 'nobody' } },
      }),
    ).not.toEqual([]);
    fake = await startFakeProvider({ validate: openApiValidator(spec) });
    account = {
      id: 'acc_md',
      credentials: { api_key: API_KEY },
      settings: { from: 'promo@shop.example', from_name: 'Shop' },
    };
    channel = new MandrillChannel({ baseUrl: fake.url, timeoutMs: 2000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('validates the account', () => {
    expect(channel.account.validate({ credentials: { api_key: 'k' }, settings: {} })).toEqual([
      'from must be an email address',
    ]);
  });

  it('sends a valid messages/send request and maps the recipient _id', async () => {
    fake.script([
      { status: 200, body: [{ email: 'ada@example.com', status: 'sent', _id: 'md-1', reject_reason: null }] },
    ]);
    expect(await channel.send(message(account, 'msg_md_1'))).toEqual({ status: 'sent', providerMessageId: 'md-1' });
    const [req] = fake.requests;
    expect(req?.problems).toEqual([]);
    expect(req?.path).toBe('/api/1.0/messages/send');
    expect(req?.body).toMatchObject({
      key: API_KEY,
      message: {
        subject: 'Your code',
        from_email: 'promo@shop.example',
        from_name: 'Shop',
        to: [{ email: 'ada@example.com', type: 'to' }],
        metadata: { message_id: 'msg_md_1' },
      },
    });
  });

  it('treats queued as sent', async () => {
    fake.script([
      {
        status: 200,
        body: [{ email: 'ada@example.com', status: 'queued', _id: 'md-q', queued_reason: 'hourly-quota-exhausted' }],
      },
    ]);
    expect(await channel.send(message(account, 'msg_md_q'))).toEqual({ status: 'sent', providerMessageId: 'md-q' });
  });

  it('maps a per-recipient rejection inside a 200 to permanent with reject_reason', async () => {
    fake.script([
      {
        status: 200,
        body: [{ email: 'ada@example.com', status: 'rejected', _id: 'md-2', reject_reason: 'hard-bounce' }],
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_md_2')))).toEqual({
      status: 'permanent',
      error: 'mandrill: recipient rejected (hard-bounce)',
    });
    fake.script([{ status: 200, body: [{ email: 'ada@example.com', status: 'invalid', _id: 'md-3' }] }]);
    expect(record(await channel.send(message(account, 'msg_md_3')))).toEqual({
      status: 'permanent',
      error: 'mandrill: recipient invalid (invalid)',
    });
  });

  it('maps RequestLimitExceeded (429) with Retry-After to transient with retryAfterMs', async () => {
    fake.script([
      {
        status: 429,
        headers: { 'Retry-After': '20' },
        body: { status: 'error', code: 429, name: 'RequestLimitExceeded', message: 'Too many requests' },
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_md_4')))).toEqual({
      status: 'transient',
      error: 'mandrill: RequestLimitExceeded: Too many requests',
      retryAfterMs: 20_000,
    });
  });

  it('maps a 5xx GeneralError to transient', async () => {
    fake.script([{ status: 500, body: { status: 'error', code: -1, name: 'GeneralError', message: 'oops' } }]);
    expect(record(await channel.send(message(account, 'msg_md_5')))).toEqual({
      status: 'transient',
      error: 'mandrill: GeneralError: oops',
    });
  });

  it('maps Invalid_Key (sent as 500 by Mandrill) to permanent, without the key', async () => {
    fake.script([
      { status: 500, body: { status: 'error', code: -1, name: 'Invalid_Key', message: `Invalid API key ${API_KEY}` } },
    ]);
    const result = record(await channel.send(message(account, 'msg_md_6')));
    expect(result.status).toBe('permanent');
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });

  it('maps a 400 ValidationError to permanent', async () => {
    fake.script([
      {
        status: 400,
        body: { status: 'error', code: -2, name: 'ValidationError', message: 'You must specify a key value' },
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_md_7')))).toEqual({
      status: 'permanent',
      error: 'mandrill: ValidationError: You must specify a key value',
    });
  });

  it('skips customers without an email and fails a message without an account', async () => {
    expect(channel.recipient(customerDoc({ email: '  ' }), {})).toEqual({ skip: 'missing_email' });
    expect(await channel.send(message(undefined, 'msg_md_8'))).toEqual({
      status: 'permanent',
      error: 'no channel account',
    });
  });

  it('tests the connection with users/ping: ok, and 401 → not ok', async () => {
    fake.script([
      { status: 200, body: 'PONG!' },
      { status: 401, body: { status: 'error', code: -1, name: 'Invalid_Key', message: 'Invalid API key' } },
    ]);
    expect(await channel.testConnection(account)).toEqual({ ok: true });
    expect(record(await channel.testConnection(account))).toEqual({
      ok: false,
      error: 'mandrill answered 401: Invalid_Key: Invalid API key',
    });
    expect(fake.requests.map((r) => [r.path, r.problems])).toEqual([
      ['/api/1.0/users/ping', []],
      ['/api/1.0/users/ping', []],
    ]);
  });
});

describe('Mailgun channel', () => {
  const API_KEY = 'key-mailgun-secret-789';
  let fake: FakeProvider;
  let account: ChannelAccount;
  let channel: MailgunChannel;

  beforeAll(async () => {
    const spec = await loadOpenApi(`${SPECS}/mailgun/mailgun.openapi.yaml`);
    fake = await startFakeProvider({
      validate: openApiValidator(spec),
      defaultResponse: { status: 200, body: { id: '<default@mg.shop.example>', message: 'Queued. Thank you.' } },
    });
    account = {
      id: 'acc_mg',
      credentials: { api_key: API_KEY },
      settings: { domain: 'mg.shop.example', from: 'promo@shop.example', from_name: 'Shop' },
    };
    channel = new MailgunChannel({ baseUrl: fake.url, timeoutMs: 2000 });
    // The validator itself must refuse what Mailgun refuses, or a passing test proves nothing.
    expect(
      validateRequest(spec, {
        method: 'POST',
        path: '/v3/mg.shop.example/messages',
        contentType: 'multipart/form-data',
        body: { from: 'a@b.example' },
      }),
    ).not.toEqual([]);
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('validates the account: domain and from', () => {
    expect(channel.account.validate({ credentials: { api_key: 'k' }, settings: { from: 'a@b.example' } })).toEqual([
      'domain must be a sending domain, e.g. mg.example.com',
    ]);
  });

  it('sends a valid multipart request with v:message_id and maps the id', async () => {
    fake.script([{ status: 200, body: { id: '<20260101.1@mg.shop.example>', message: 'Queued. Thank you.' } }]);
    expect(await channel.send(message(account, 'msg_mg_1'))).toEqual({
      status: 'sent',
      providerMessageId: '<20260101.1@mg.shop.example>',
    });
    const [req] = fake.requests;
    expect(req?.problems).toEqual([]);
    expect(req?.contentType).toBe('multipart/form-data');
    expect(req?.path).toBe('/v3/mg.shop.example/messages');
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`api:${API_KEY}`).toString('base64')}`);
    expect(req?.body).toEqual({
      from: 'Shop <promo@shop.example>',
      to: 'ada@example.com',
      subject: 'Your code',
      html: '<p>Your code: <b>MAIL-1</b></p>',
      text: 'Your code: MAIL-1',
      'v:message_id': 'msg_mg_1',
    });
  });

  it('maps 429 with Retry-After to transient with retryAfterMs', async () => {
    fake.script([{ status: 429, headers: { 'Retry-After': '9' }, body: { message: 'rate limited' } }]);
    expect(record(await channel.send(message(account, 'msg_mg_2')))).toEqual({
      status: 'transient',
      error: 'mailgun answered 429: rate limited',
      retryAfterMs: 9000,
    });
  });

  it('reads the wait from a 429 text when no header gives it', async () => {
    const text =
      'Domain mg.shop.example is not allowed to send: account-requests-per-sec limit exceeded, try again after 120 seconds';
    fake.script([{ status: 429, body: { message: text } }]);
    expect(record(await channel.send(message(account, 'msg_mg_3')))).toEqual({
      status: 'transient',
      error: `mailgun answered 429: ${text}`,
      retryAfterMs: 120_000,
    });
  });

  it('maps a 5xx to transient', async () => {
    fake.script([{ status: 500, body: { message: 'internal error' } }]);
    expect(record(await channel.send(message(account, 'msg_mg_4')))).toEqual({
      status: 'transient',
      error: 'mailgun answered 500: internal error',
    });
  });

  it('maps a 400 to permanent with the provider reason', async () => {
    fake.script([
      { status: 400, body: { message: "'to' parameter is not a valid address. please check documentation" } },
    ]);
    expect(record(await channel.send(message(account, 'msg_mg_5')))).toEqual({
      status: 'permanent',
      error: "mailgun answered 400: 'to' parameter is not a valid address. please check documentation",
    });
  });

  it('keeps credentials out of an error text', async () => {
    fake.script([{ status: 401, body: `Forbidden: api:${API_KEY}` }]);
    const result = record(await channel.send(message(account, 'msg_mg_6')));
    expect(result.status).toBe('permanent');
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });

  it('skips customers without an email and fails a message without an account', async () => {
    expect(channel.recipient(customerDoc({ email: undefined }), {})).toEqual({ skip: 'missing_email' });
    expect(await channel.send(message(undefined, 'msg_mg_7'))).toEqual({
      status: 'permanent',
      error: 'no channel account',
    });
  });

  it('tests the connection with GET /v4/domains/{name}: ok, and 401 → not ok', async () => {
    fake.script([
      { status: 200, body: { domain: { name: 'mg.shop.example' } } },
      { status: 401, body: 'Forbidden' },
    ]);
    expect(await channel.testConnection(account)).toEqual({ ok: true });
    expect(record(await channel.testConnection(account))).toEqual({
      ok: false,
      error: 'mailgun answered 401: Forbidden',
    });
    expect(fake.requests.map((r) => [r.method, r.path, r.problems])).toEqual([
      ['GET', '/v4/domains/mg.shop.example', []],
      ['GET', '/v4/domains/mg.shop.example', []],
    ]);
  });

  it('batches messages of one content with recipient-variables in one request, and fails a bad address alone', async () => {
    fake.script([{ status: 200, body: { id: '<batch@mg.shop.example>', message: 'Queued. Thank you.' } }]);
    const results = await channel.sendBatch([
      message(account, 'msg_m1', 'a@example.com'),
      message(account, 'msg_m2', 'bad address'),
      message(account, 'msg_m3', 'c@example.com'),
    ]);
    expect(results).toEqual([
      { status: 'sent', providerMessageId: '<batch@mg.shop.example>' },
      { status: 'permanent', error: 'mailgun: invalid recipient address' },
      { status: 'sent', providerMessageId: '<batch@mg.shop.example>' },
    ]);
    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req?.problems).toEqual([]);
    const body = req?.body as Record<string, unknown>;
    expect(body.to).toEqual(['a@example.com', 'c@example.com']);
    expect(JSON.parse(String(body['recipient-variables']))).toEqual({
      'a@example.com': { message_id: 'msg_m1' },
      'c@example.com': { message_id: 'msg_m3' },
    });
    expect(body['v:message_id']).toBe('%recipient.message_id%');
  });
});
