import path from 'node:path';
import { z } from 'zod';
import type { Channel, ChannelAccount, OutgoingMessage, SendResult } from '../../src/channels/channel';
import { CmTelecomChannel, cmReference } from '../../src/channels/cm-telecom';
import { TextlocalChannel } from '../../src/channels/textlocal';
import { TwilioChannel } from '../../src/channels/twilio';
import type { CustomerDoc } from '../../src/models/customer';
import { customerDoc } from '../helpers/customer-doc';
import { openApiValidator, startFakeProvider, type FakeProvider, type ProviderRequest } from '../helpers/fake-provider';
import { loadOpenApi } from '../helpers/openapi-validator';

const SPECS = path.resolve(__dirname, '../fixtures/provider-specs');
const customer: CustomerDoc = customerDoc({ _id: 'cust_sms', phone: '+44 7700 900123' });

/** Every error text any adapter produced in this file; none may carry a credential. */
/** The accounts' credentials below: no error a provider call reports may carry one. */
const SECRETS = ['twilio-auth-token-secret-1', '00000000-cm-product-token-secret', 'textlocal-api-key-secret-2'];
/** Checks, in the test that got it, that an error result carries no credential, whatever order the tests run in. */
function record<T extends SendResult | { ok: boolean; error?: string }>(result: T): T {
  const error = 'error' in result && typeof result.error === 'string' ? result.error : '';
  for (const secret of SECRETS) expect(error).not.toContain(secret);
  return result;
}

function message(
  account: ChannelAccount | undefined,
  id: string,
  to = '+447700900123',
  text = 'Your code: SMS-1',
): OutgoingMessage {
  return {
    id,
    customer,
    to,
    text,
    variables: { voucher: { code: 'SMS-1' } },
    settings: {},
    ...(account ? { account } : {}),
  };
}

/** A `validate` for providers without an OpenAPI file: the documented operations as zod schemas. */
function documentedShape(
  operations: Record<string, { schema: z.ZodType; headers?: string[] }>,
): (req: ProviderRequest) => string[] {
  return (req) => {
    const op = operations[`${req.method} ${req.path}`];
    if (!op) return [`unknown operation ${req.method} ${req.path}`];
    const problems = (op.headers ?? []).filter((h) => !req.headers[h]).map((h) => `missing header ${h}`);
    const parsed = op.schema.safeParse(req.body);
    if (!parsed.success)
      problems.push(...parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    return problems;
  };
}

describe('Twilio channel', () => {
  const SID = 'AC0123456789abcdef0123456789abcdef';
  const TOKEN = 'twilio-auth-token-secret-1';
  let fake: FakeProvider;
  let account: ChannelAccount;
  let channel: TwilioChannel;

  beforeAll(async () => {
    const spec = await loadOpenApi(`${SPECS}/twilio/twilio_api_v2010_messages.openapi.json`);
    const check = openApiValidator(spec);
    // The trimmed spec keeps only the Messages paths; the account fetch is checked by hand below.
    fake = await startFakeProvider({
      validate: (r) => (r.path === `/2010-04-01/Accounts/${SID}.json` ? [] : check(r)),
    });
    account = {
      id: 'acc_tw',
      credentials: { account_sid: SID, auth_token: TOKEN },
      settings: { from: '+15005550006' },
    };
    channel = new TwilioChannel({ baseUrl: fake.url, timeoutMs: 2000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('validates the account: SID format and a sender', () => {
    expect(channel.account.validate({ credentials: { account_sid: 'nope', auth_token: 't' }, settings: {} })).toEqual([
      'credential account_sid must be an account SID (AC…)',
      'from or messaging_service_sid is required',
    ]);
    expect(
      channel.account.validate({
        credentials: { account_sid: SID, auth_token: 't' },
        settings: { messaging_service_sid: `MG${'a'.repeat(32)}` },
      }),
    ).toEqual([]);
  });

  it('sends a valid form-encoded Messages.json request and maps the sid', async () => {
    fake.script([{ status: 201, body: { sid: 'SM0001', status: 'queued' } }]);
    expect(await channel.send(message(account, 'msg_tw_1'))).toEqual({ status: 'sent', providerMessageId: 'SM0001' });
    const [req] = fake.requests;
    expect(req?.problems).toEqual([]);
    expect(req?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(req?.contentType).toBe('application/x-www-form-urlencoded');
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(req?.body).toEqual({ To: '+447700900123', From: '+15005550006', Body: 'Your code: SMS-1' });
  });

  it('sends through a messaging service when one is configured', async () => {
    fake.script([{ status: 201, body: { sid: 'SM0002', status: 'accepted' } }]);
    const service = { ...account, settings: { messaging_service_sid: `MG${'b'.repeat(32)}` } };
    expect(await channel.send(message(service, 'msg_tw_2'))).toEqual({ status: 'sent', providerMessageId: 'SM0002' });
    expect(fake.requests[0]?.problems).toEqual([]);
    expect(fake.requests[0]?.body).toEqual({
      To: '+447700900123',
      MessagingServiceSid: `MG${'b'.repeat(32)}`,
      Body: 'Your code: SMS-1',
    });
  });

  it('maps 429 / 20429 with Retry-After to transient with retryAfterMs', async () => {
    fake.script([
      {
        status: 429,
        headers: { 'Retry-After': '4' },
        body: {
          code: 20429,
          message: 'Too Many Requests',
          more_info: 'https://www.twilio.com/docs/errors/20429',
          status: 429,
        },
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_tw_3')))).toEqual({
      status: 'transient',
      error: 'twilio answered 429: 20429 Too Many Requests',
      retryAfterMs: 4000,
    });
  });

  it('maps a 5xx to transient', async () => {
    fake.script([{ status: 503, body: { code: 20500, message: 'Internal Server Error', status: 503 } }]);
    expect(record(await channel.send(message(account, 'msg_tw_4')))).toEqual({
      status: 'transient',
      error: 'twilio answered 503: 20500 Internal Server Error',
    });
  });

  it.each([
    [21211, "The 'To' number +447700900123 is not a valid phone number."],
    [21614, "'To' number is not a valid mobile number"],
  ])('maps error %i (invalid number) to permanent', async (code, text) => {
    fake.script([
      {
        status: 400,
        body: { code, message: text, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 },
      },
    ]);
    expect(record(await channel.send(message(account, `msg_tw_${code}`)))).toEqual({
      status: 'permanent',
      error: `twilio answered 400: ${code} ${text}`,
    });
  });

  it('keeps credentials out of an error text', async () => {
    fake.script([{ status: 401, body: { code: 20003, message: `Authenticate ${SID}:${TOKEN}`, status: 401 } }]);
    const result = record(await channel.send(message(account, 'msg_tw_5')));
    expect(result.status).toBe('permanent');
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('skips customers without a usable phone and fails a message without an account', async () => {
    expect(channel.recipient(customerDoc({ phone: undefined }), {})).toEqual({ skip: 'missing_phone' });
    expect(channel.recipient(customerDoc({ phone: 'n/a' }), {})).toEqual({ skip: 'missing_phone' });
    expect(channel.recipient(customer, {})).toEqual({ to: '+447700900123' });
    expect(await channel.send(message(undefined, 'msg_tw_6'))).toEqual({
      status: 'permanent',
      error: 'no channel account',
    });
  });

  it('tests the connection by fetching the account: ok, and 401 → not ok', async () => {
    fake.script([
      { status: 200, body: { sid: SID, status: 'active' } },
      { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } },
    ]);
    expect(await channel.testConnection(account)).toEqual({ ok: true });
    expect(record(await channel.testConnection(account))).toEqual({
      ok: false,
      error: 'twilio answered 401: 20003 Authenticate',
    });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /2010-04-01/Accounts/${SID}.json`,
      `GET /2010-04-01/Accounts/${SID}.json`,
    ]);
    expect(fake.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
  });
});

/** CM's documented JSON (developers.cm.com/messaging/docs/integration): no OpenAPI file exists. */
const cmMessageShape = z.object({
  messages: z.object({
    msg: z
      .array(
        z.object({
          from: z.string().min(1).max(16),
          to: z.array(z.object({ number: z.string().regex(/^00[1-9]\d{6,14}$/) })).min(1),
          body: z.object({ type: z.enum(['auto', 'plain']), content: z.string().min(1) }),
          reference: z
            .string()
            .regex(/^[A-Za-z0-9]{1,32}$/)
            .optional(),
          allowedChannels: z
            .array(z.enum(['SMS', 'WhatsApp', 'Push', 'RCS', 'Viber', 'Apple Messages for Business']))
            .optional(),
        }),
      )
      .min(1)
      .max(1000),
  }),
});

describe('CM Telecom channel', () => {
  const TOKEN = '00000000-cm-product-token-secret';
  let fake: FakeProvider;
  let account: ChannelAccount;
  let channel: CmTelecomChannel;

  const accepted = (ref: string, to = '00447700900123'): Record<string, unknown> => ({
    to,
    status: 'Accepted',
    reference: ref,
    parts: 1,
    messageDetails: null,
    messageErrorCode: 0,
  });

  beforeAll(async () => {
    fake = await startFakeProvider({
      validate: documentedShape({ 'POST /v1.0/message': { schema: cmMessageShape, headers: ['x-cm-producttoken'] } }),
    });
    account = { id: 'acc_cm', credentials: { product_token: TOKEN }, settings: { from: 'Shop' } };
    channel = new CmTelecomChannel({ baseUrl: fake.url, timeoutMs: 2000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('validates the account: sender id', () => {
    expect(
      channel.account.validate({ credentials: { product_token: 't' }, settings: { from: 'A much too long sender' } }),
    ).toEqual(['from must be a sender id (up to 11 letters/digits) or a phone number']);
  });

  it('sends a request of the documented shape with our reference and maps acceptance', async () => {
    const ref = cmReference('msg_cm_1');
    fake.script([{ status: 200, body: { details: 'Created 1 message(s)', errorCode: 0, messages: [accepted(ref)] } }]);
    expect(await channel.send(message(account, 'msg_cm_1'))).toEqual({ status: 'sent', providerMessageId: ref });
    const [req] = fake.requests;
    expect(req?.problems).toEqual([]);
    expect(req?.headers['x-cm-producttoken']).toBe(TOKEN);
    expect(req?.body).toEqual({
      messages: {
        msg: [
          {
            from: 'Shop',
            to: [{ number: '00447700900123' }],
            body: { type: 'auto', content: 'Your code: SMS-1' },
            reference: ref,
            allowedChannels: ['SMS'],
          },
        ],
      },
    });
  });

  it('maps 429 with Retry-After to transient with retryAfterMs', async () => {
    fake.script([{ status: 429, headers: { 'Retry-After': '6' }, body: 'Too Many Requests' }]);
    expect(record(await channel.send(message(account, 'msg_cm_2')))).toEqual({
      status: 'transient',
      error: 'cm_telecom answered 429: Too Many Requests',
      retryAfterMs: 6000,
    });
  });

  it('maps a 5xx to transient', async () => {
    fake.script([{ status: 502, body: 'Bad Gateway' }]);
    expect(record(await channel.send(message(account, 'msg_cm_3')))).toEqual({
      status: 'transient',
      error: 'cm_telecom answered 502: Bad Gateway',
    });
  });

  it('maps a 400 rejecting an invalid number to permanent with the per-message reason', async () => {
    const ref = cmReference('msg_cm_4');
    fake.script([
      {
        status: 400,
        body: {
          details: 'No (valid) messages in request',
          errorCode: 203,
          messages: [
            {
              to: '00447700900123',
              status: 'Rejected',
              reference: ref,
              parts: 0,
              messageDetails: 'Gsm not valid',
              messageErrorCode: 303,
            },
          ],
        },
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_cm_4')))).toEqual({
      status: 'permanent',
      error: 'cm_telecom: message rejected (303): Gsm not valid',
    });
  });

  it('maps a bad product token (400, errorCode 103) to permanent without the token', async () => {
    fake.script([{ status: 400, body: { details: `Unknown product token ${TOKEN}`, errorCode: 103, messages: [] } }]);
    const result = record(await channel.send(message(account, 'msg_cm_5')));
    expect(result.status).toBe('permanent');
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('skips customers without a phone, fails a message without an account, and has no test call', async () => {
    expect(channel.recipient(customerDoc({ phone: undefined }), {})).toEqual({ skip: 'missing_phone' });
    expect(await channel.send(message(undefined, 'msg_cm_6'))).toEqual({
      status: 'permanent',
      error: 'no channel account',
    });
    expect((channel as Channel).testConnection).toBeUndefined();
  });

  it('sends a batch as several msg in one request and maps each answer, a rejection included', async () => {
    const ids = ['msg_cb_1', 'msg_cb_2', 'msg_cb_3'];
    fake.script([
      {
        status: 200,
        body: {
          details: 'Created 2 message(s)',
          errorCode: 201,
          messages: [
            accepted(cmReference('msg_cb_1'), '00447700900001'),
            {
              to: '00447700900002',
              status: 'Rejected',
              reference: cmReference('msg_cb_2'),
              parts: 0,
              messageDetails: 'Recipient is blacklisted',
              messageErrorCode: 402,
            },
            accepted(cmReference('msg_cb_3'), '00447700900003'),
          ],
        },
      },
    ]);
    const results = await channel.sendBatch(
      ids.map((id, i) => message(account, id, `+44770090000${i + 1}`, `Code ${i + 1}`)),
    );
    expect(results).toEqual([
      { status: 'sent', providerMessageId: cmReference('msg_cb_1') },
      record({ status: 'permanent', error: 'cm_telecom: message rejected (402): Recipient is blacklisted' }),
      { status: 'sent', providerMessageId: cmReference('msg_cb_3') },
    ]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.problems).toEqual([]);
    const msgs = (
      fake.requests[0]!.body as { messages: { msg: { to: { number: string }[]; body: { content: string } }[] } }
    ).messages.msg;
    expect(msgs.map((m) => [m.to[0]?.number, m.body.content])).toEqual([
      ['00447700900001', 'Code 1'],
      ['00447700900002', 'Code 2'],
      ['00447700900003', 'Code 3'],
    ]);
  });

  it('maps a per-message internal error (999) to transient', async () => {
    const ref = cmReference('msg_cm_7');
    fake.script([
      {
        status: 200,
        body: {
          details: 'Created 0 message(s)',
          errorCode: 201,
          messages: [
            {
              to: '00447700900123',
              status: 'Rejected',
              reference: ref,
              parts: 0,
              messageDetails: 'Unknown error',
              messageErrorCode: 999,
            },
          ],
        },
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_cm_7')))).toEqual({
      status: 'transient',
      error: 'cm_telecom: message rejected (999): Unknown error',
    });
  });
});

/** Textlocal's documented form fields (api.txtlocal.com/docs/sendsms): no OpenAPI file exists. */
const textlocalSendShape = z
  .object({
    apikey: z.string().min(1),
    numbers: z.string().regex(/^\d{7,15}(,\d{7,15})*$/),
    sender: z.string().regex(/^[A-Za-z0-9]{3,11}$/),
    message: z.string().min(1).max(918),
    custom: z.string().min(1).optional(),
    test: z.enum(['true', 'false']).optional(),
    receipt_url: z.string().url().optional(),
    schedule_time: z.string().regex(/^\d+$/).optional(),
  })
  .strict();
const textlocalBalanceShape = z.object({ apikey: z.string().min(1) }).strict();

describe('Textlocal channel', () => {
  const API_KEY = 'textlocal-api-key-secret-2';
  let fake: FakeProvider;
  let account: ChannelAccount;
  let channel: TextlocalChannel;

  beforeAll(async () => {
    fake = await startFakeProvider({
      validate: documentedShape({
        'POST /send/': { schema: textlocalSendShape },
        'POST /balance/': { schema: textlocalBalanceShape },
      }),
    });
    account = { id: 'acc_tl', credentials: { api_key: API_KEY }, settings: { sender: 'Shop' } };
    channel = new TextlocalChannel({ baseUrl: fake.url, timeoutMs: 2000 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('validates the account: sender', () => {
    expect(channel.account.validate({ credentials: { api_key: 'k' }, settings: { sender: 'x' } })).toEqual([
      'sender must be 3 to 11 letters or digits',
    ]);
  });

  it('sends the documented form with our id in custom and maps the message id', async () => {
    fake.script([
      {
        status: 200,
        body: {
          balance: 1162,
          batch_id: 123456789,
          cost: 1,
          num_messages: 1,
          messages: [{ id: '1151346216', recipient: 447700900123 }],
          status: 'success',
        },
      },
    ]);
    expect(await channel.send(message(account, 'msg_tl_1'))).toEqual({
      status: 'sent',
      providerMessageId: '1151346216',
    });
    const [req] = fake.requests;
    expect(req?.problems).toEqual([]);
    expect(req?.body).toEqual({
      apikey: API_KEY,
      numbers: '447700900123',
      sender: 'Shop',
      message: 'Your code: SMS-1',
      custom: 'msg_tl_1',
    });
  });

  it('maps status failure with an invalid number (32) inside a 200 to permanent', async () => {
    fake.script([
      { status: 200, body: { errors: [{ code: 32, message: 'Invalid number format' }], status: 'failure' } },
    ]);
    expect(record(await channel.send(message(account, 'msg_tl_2')))).toEqual({
      status: 'permanent',
      error: 'textlocal: 32 Invalid number format',
    });
  });

  it('maps status failure "cannot send at this time" (192) to transient', async () => {
    fake.script([
      {
        status: 200,
        body: { errors: [{ code: 192, message: 'You cannot send message at this time' }], status: 'failure' },
      },
    ]);
    expect(record(await channel.send(message(account, 'msg_tl_3')))).toEqual({
      status: 'transient',
      error: 'textlocal: 192 You cannot send message at this time',
    });
  });

  it('maps 429 with Retry-After to transient with retryAfterMs', async () => {
    fake.script([{ status: 429, headers: { 'Retry-After': '15' } }]);
    expect(record(await channel.send(message(account, 'msg_tl_4')))).toEqual({
      status: 'transient',
      error: 'textlocal answered 429',
      retryAfterMs: 15_000,
    });
  });

  it('maps a 5xx to transient', async () => {
    fake.script([{ status: 500, body: 'Internal Server Error' }]);
    expect(record(await channel.send(message(account, 'msg_tl_5')))).toEqual({
      status: 'transient',
      error: 'textlocal answered 500: Internal Server Error',
    });
  });

  it('keeps credentials out of an error text', async () => {
    fake.script([
      {
        status: 200,
        body: { errors: [{ code: 3, message: `Invalid login details for ${API_KEY}` }], status: 'failure' },
      },
    ]);
    const result = record(await channel.send(message(account, 'msg_tl_6')));
    expect(result.status).toBe('permanent');
    expect(JSON.stringify(result)).not.toContain(API_KEY);
  });

  it('skips customers without a phone and fails a message without an account', async () => {
    expect(channel.recipient(customerDoc({ phone: '' }), {})).toEqual({ skip: 'missing_phone' });
    expect(await channel.send(message(undefined, 'msg_tl_7'))).toEqual({
      status: 'permanent',
      error: 'no channel account',
    });
  });

  it('tests the connection with the balance call: ok, a failure status and a 401 → not ok', async () => {
    fake.script([
      { status: 200, body: { balance: { sms: 1162, mms: 0 }, status: 'success' } },
      { status: 200, body: { errors: [{ code: 3, message: 'Invalid login details' }], status: 'failure' } },
      { status: 401, body: 'Unauthorized' },
    ]);
    expect(await channel.testConnection(account)).toEqual({ ok: true });
    expect(record(await channel.testConnection(account))).toEqual({
      ok: false,
      error: 'textlocal: 3 Invalid login details',
    });
    expect(record(await channel.testConnection(account))).toEqual({
      ok: false,
      error: 'textlocal answered 401: Unauthorized',
    });
    expect(fake.requests.map((r) => [r.path, r.problems])).toEqual([
      ['/balance/', []],
      ['/balance/', []],
      ['/balance/', []],
    ]);
  });
});
