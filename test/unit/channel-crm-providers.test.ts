import path from 'node:path';
import { createHash } from 'node:crypto';
import Ajv, { type ValidateFunction } from 'ajv';
import { ActiveCampaignChannel } from '../../src/channels/activecampaign';
import { BrazeChannel } from '../../src/channels/braze';
import type { ChannelAccount, OutgoingMessage, SendResult } from '../../src/channels/channel';
import { IntercomChannel } from '../../src/channels/intercom';
import { MailchimpChannel } from '../../src/channels/mailchimp';
import type { CustomerDoc } from '../../src/models/customer';
import { messageVariables } from '../../src/templates/message-variables';
import { customerDoc } from '../helpers/customer-doc';
import { openApiValidator, startFakeProvider, type FakeProvider, type ProviderRequest } from '../helpers/fake-provider';
import { loadOpenApi, validateRequest } from '../helpers/openapi-validator';

const INTERCOM_SPEC = path.resolve(__dirname, '../fixtures/provider-specs/intercom/api.intercom.io.2.14.yaml');

const customer: CustomerDoc = customerDoc({
  _id: 'cust_crm',
  source_id: 'crm-1',
  source_id_key: 'crm-1',
  name: 'Grace',
  email: 'Grace@Example.com',
  metadata: { tier: 'gold' },
});
const noEmail: CustomerDoc = customerDoc({
  _id: 'cust_noemail',
  source_id: undefined,
  source_id_key: 'cust_noemail',
  name: 'Nomail',
  email: undefined,
});
const EXPIRES = '2026-06-30T00:00:00.000Z';

function variablesFor(c: CustomerDoc, code: string): Record<string, unknown> {
  return messageVariables({
    customer: c,
    distribution: { _id: 'dist_crm', name: 'CRM' },
    voucher: { code, expiration_date: EXPIRES },
  });
}

function message(
  account: ChannelAccount,
  to: string,
  settings: Record<string, unknown>,
  c: CustomerDoc = customer,
  code = 'CRM-42',
): OutgoingMessage {
  return { id: `msg_${code}`, customer: c, to, variables: variablesFor(c, code), settings, account };
}

/** Problems of a JSON body against a schema of the provider's documented request shape. */
function bodyProblems<T>(validate: ValidateFunction<T>, body: unknown): string[] {
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** The fake checks each request's operation, auth header and body; a wrong one is answered 400 and recorded with its problems. */
function documented(
  routes: Record<string, (req: ProviderRequest) => string[]>,
  auth: (req: ProviderRequest) => string | undefined,
): (req: ProviderRequest) => string[] {
  return (req) => {
    const template = req.path.replace(
      /^\/3\.0\/lists\/[^/]+\/members\/[0-9a-f]{32}$/,
      '/3.0/lists/{list_id}/members/{subscriber_hash}',
    );
    const route = routes[`${req.method} ${template}`];
    if (!route) return [`undocumented operation ${req.method} ${req.path}`];
    const authProblem = auth(req);
    return [...(authProblem ? [authProblem] : []), ...route(req)];
  };
}

function expectNoSecret(result: SendResult | { ok: boolean; error?: string }, secret: string): void {
  expect(JSON.stringify(result)).not.toContain(secret);
}

const ajv = new Ajv({ allErrors: true, strict: false });
const scalar = { type: ['string', 'number', 'boolean', 'null'] };

describe('Braze channel (users.track)', () => {
  const KEY = 'braze-secret-key-7c1e0d';
  // https://www.braze.com/docs/api/endpoints/user_data/post_user_track/ and the user attributes object.
  const trackSchema = ajv.compile({
    type: 'object',
    required: ['attributes'],
    additionalProperties: false,
    properties: {
      attributes: {
        type: 'array',
        minItems: 1,
        maxItems: 75,
        items: {
          type: 'object',
          anyOf: [
            { required: ['external_id'] },
            { required: ['email'] },
            { required: ['braze_id'] },
            { required: ['user_alias'] },
          ],
          properties: { external_id: { type: 'string', minLength: 1 }, email: { type: 'string' } },
          additionalProperties: scalar,
        },
      },
    },
  });
  let fake: FakeProvider;
  let account: ChannelAccount;
  let braze: BrazeChannel;
  const settings = {
    fields: { promo_code: 'voucher.code', promo_expires: 'voucher.expiration_date', first_name: 'customer.name' },
  };

  beforeAll(async () => {
    fake = await startFakeProvider({
      validate: documented({ 'POST /users/track': (req) => bodyProblems(trackSchema, req.body) }, (req) =>
        req.headers.authorization === `Bearer ${KEY}` ? undefined : 'missing or wrong bearer key',
      ),
      defaultResponse: (req) => ({
        status: 201,
        body: { message: 'success', attributes_processed: (req.body as { attributes: unknown[] }).attributes.length },
      }),
    });
    account = {
      id: 'acc_braze',
      credentials: { api_key: KEY },
      settings: { rest_endpoint: 'https://rest.iad-01.braze.com' },
    };
    braze = new BrazeChannel({ baseUrl: fake.url });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.respond(undefined);
  });

  it('writes the code and mapped variables as custom attributes of the external id and reports it sent', async () => {
    const result = await braze.send(message(account, 'crm-1', settings));
    expect(result).toEqual({ status: 'sent', providerMessageId: 'crm-1' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.problems).toEqual([]);
    expect(fake.requests[0]!.body).toEqual({
      attributes: [{ external_id: 'crm-1', promo_code: 'CRM-42', promo_expires: EXPIRES, first_name: 'Grace' }],
    });
  });

  it('writes only promo_code when the settings name no fields', async () => {
    await braze.send(message(account, 'crm-1', {}));
    expect(fake.requests[0]!.body).toEqual({ attributes: [{ external_id: 'crm-1', promo_code: 'CRM-42' }] });
  });

  it('identifies by external id (source_id, else our id), or by email when asked; no email then is a skip', () => {
    expect(braze.recipient(customer, {})).toEqual({ to: 'crm-1' });
    expect(braze.recipient(noEmail, {})).toEqual({ to: 'cust_noemail' });
    expect(braze.recipient(customer, { identify_by: 'email' })).toEqual({ to: 'Grace@Example.com' });
    expect(braze.recipient(noEmail, { identify_by: 'email' })).toEqual({ skip: 'missing_email' });
    expect(braze.validateSettings({ identify_by: 'phone', fields: { promo_code: 'voucher.cod' } })).toEqual([
      'fields.promo_code: unknown variable "voucher.cod" (did you mean "voucher.code"?)',
      'identify_by must be one of external_id, email',
    ]);
  });

  it('sends a batch of messages as one users.track request and answers per message, a refused object as permanent', async () => {
    const others = [
      customerDoc({ _id: 'c2', source_id: 'crm-2', source_id_key: 'crm-2', name: 'Alan' }),
      customerDoc({ _id: 'c3', source_id: 'crm-3', source_id_key: 'crm-3', name: 'Edsger' }),
    ];
    fake.respond(() => ({
      status: 201,
      body: {
        message: 'success',
        attributes_processed: 2,
        errors: [{ type: "'external_id' is required", input_array: 'attributes', index: 1 }],
      },
    }));
    const results = await braze.sendBatch([
      message(account, 'crm-1', settings),
      message(account, 'crm-2', settings, others[0]!, 'CRM-43'),
      message(account, 'crm-3', settings, others[1]!, 'CRM-44'),
    ]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.problems).toEqual([]);
    expect(fake.requests[0]!.body).toEqual({
      attributes: [
        { external_id: 'crm-1', promo_code: 'CRM-42', promo_expires: EXPIRES, first_name: 'Grace' },
        { external_id: 'crm-2', promo_code: 'CRM-43', promo_expires: EXPIRES, first_name: 'Alan' },
        { external_id: 'crm-3', promo_code: 'CRM-44', promo_expires: EXPIRES, first_name: 'Edsger' },
      ],
    });
    expect(results).toEqual([
      { status: 'sent', providerMessageId: 'crm-1' },
      { status: 'permanent', error: "braze refused the profile update: 'external_id' is required" },
      { status: 'sent', providerMessageId: 'crm-3' },
    ]);
  });

  it('splits a batch larger than the request limit', async () => {
    const small = new BrazeChannel({ baseUrl: fake.url, batchSize: 2 });
    const results = await small.sendBatch(['a', 'b', 'c'].map((id) => message(account, id, {})));
    expect(
      fake.requests.map((r) =>
        (r.body as { attributes: { external_id: string }[] }).attributes.map((a) => a.external_id),
      ),
    ).toEqual([['a', 'b'], ['c']]);
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it("treats 429 as transient, waiting until Braze's X-RateLimit-Reset", async () => {
    fake.script([
      {
        status: 429,
        headers: { 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 5) },
        body: { message: 'Rate limit exceeded' },
      },
    ]);
    const result = await braze.send(message(account, 'crm-1', settings));
    expect(result).toMatchObject({ status: 'transient', error: 'braze answered 429: Rate limit exceeded' });
    const wait = (result as { retryAfterMs?: number }).retryAfterMs;
    expect(wait).toBeGreaterThan(3_000);
    expect(wait).toBeLessThanOrEqual(6_000);
  });

  it('treats 5xx as transient, a JSON one and an HTML one alike', async () => {
    fake.script([
      { status: 500, body: { message: 'Internal error' } },
      { status: 502, body: '<html>Bad gateway</html>' },
    ]);
    expect(await braze.send(message(account, 'crm-1', settings))).toEqual({
      status: 'transient',
      error: 'braze answered 500: Internal error',
    });
    expect(await braze.send(message(account, 'crm-1', settings))).toEqual({
      status: 'transient',
      error: 'braze answered 502',
    });
  });

  it('treats 4xx as permanent with the reason, never showing the key', async () => {
    fake.script([
      { status: 400, body: { message: 'Received invalid attributes object' } },
      { status: 401, body: { message: `Invalid API key: ${KEY}` } },
    ]);
    expect(await braze.send(message(account, 'crm-1', settings))).toEqual({
      status: 'permanent',
      error: 'braze answered 400: Received invalid attributes object',
    });
    const unauthorized = await braze.send(message(account, 'crm-1', settings));
    expect(unauthorized).toEqual({ status: 'permanent', error: 'braze answered 401: Invalid API key: [redacted]' });
    expectNoSecret(unauthorized, KEY);
  });

  it('treats an unreachable endpoint as transient', async () => {
    const down = new BrazeChannel({ baseUrl: 'http://127.0.0.1:1' });
    const result = await down.send(message(account, 'crm-1', settings));
    expect(result.status).toBe('transient');
    expectNoSecret(result, KEY);
  });

  it("checks the account: an api_key and one of Braze's cluster REST endpoints", () => {
    expect(braze.account.credentials).toEqual(['api_key']);
    expect(
      braze.account.validate({
        credentials: { api_key: 'k' },
        settings: { rest_endpoint: 'https://rest.iad-01.braze.com' },
      }),
    ).toEqual([]);
    expect(braze.account.validate({ credentials: { api_key: 'k' }, settings: {} })).toEqual([
      'rest_endpoint is required',
    ]);
    expect(
      braze.account.validate({
        credentials: { api_key: 'k' },
        settings: { rest_endpoint: 'https://rest.fra-02.braze.eu' },
      }),
    ).toEqual([]);
    for (const elsewhere of [
      'ftp://x',
      'http://rest.iad-01.braze.com',
      'https://rest.iad-01.braze.com.attacker.example',
      'https://attacker.example/rest.iad-01.braze.com',
      'http://127.0.0.1:8080',
    ]) {
      expect(braze.account.validate({ credentials: { api_key: 'k' }, settings: { rest_endpoint: elsewhere } })).toEqual(
        [expect.stringMatching(/^rest_endpoint must be your Braze cluster's REST endpoint/)],
      );
    }
    expect(
      braze.account.validate({
        credentials: { api_key: 'k' },
        settings: { rest_endpoint: 'https://rest.iad-01.braze.com', base_url: 'http://127.0.0.1:8080' },
      }),
    ).toEqual([expect.stringMatching(/^base_url is not an account setting/)]);
  });
});

describe('Mailchimp channel (list member upsert through @mailchimp/mailchimp_marketing)', () => {
  const KEY = '0123456789abcdef0123456789abcdef-us19';
  const HASH = createHash('md5').update('grace@example.com').digest('hex');
  // https://mailchimp.com/developer/marketing/api/list-members/add-or-update-list-member/
  const memberSchema = ajv.compile({
    type: 'object',
    required: ['email_address', 'status_if_new'],
    additionalProperties: false,
    properties: {
      email_address: { type: 'string', minLength: 3 },
      status_if_new: { enum: ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'] },
      merge_fields: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    },
  });
  const basic = `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`;
  let fake: FakeProvider;
  let account: ChannelAccount;
  let mailchimp: MailchimpChannel;
  const settings = {
    fields: { PROMO: 'voucher.code', PROMOEXP: 'voucher.expiration_date', FNAME: 'customer.name', ORDER: 'order.id' },
  };

  beforeAll(async () => {
    fake = await startFakeProvider({
      validate: documented(
        {
          'PUT /3.0/lists/{list_id}/members/{subscriber_hash}': (req) => bodyProblems(memberSchema, req.body),
          'GET /3.0/ping': () => [],
        },
        (req) => (req.headers.authorization === basic ? undefined : 'missing or wrong basic auth'),
      ),
      defaultResponse: (req) =>
        req.path.endsWith('/ping')
          ? { status: 200, body: { health_status: "Everything's Chimpy!" } }
          : {
              status: 200,
              body: { id: req.path.split('/').pop(), email_address: 'grace@example.com', status: 'subscribed' },
            },
    });
    account = { id: 'acc_mc', credentials: { api_key: KEY }, settings: { list_id: 'L1' } };
    mailchimp = new MailchimpChannel({ baseUrl: fake.url });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('puts the code and mapped variables into the member merge fields and reports the subscriber hash', async () => {
    const result = await mailchimp.send(message(account, 'Grace@Example.com', settings));
    expect(result).toEqual({ status: 'sent', providerMessageId: HASH });
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.problems).toEqual([]);
    expect(`${req.method} ${req.path}`).toBe(`PUT /3.0/lists/L1/members/${HASH}`);
    // A variable the message lacks (no order here) clears the merge field.
    expect(req.body).toEqual({
      email_address: 'Grace@Example.com',
      status_if_new: 'subscribed',
      merge_fields: { PROMO: 'CRM-42', PROMOEXP: EXPIRES, FNAME: 'Grace', ORDER: '' },
    });
  });

  it('takes status_if_new and list_id from the channel settings', async () => {
    expect(
      await mailchimp.send(message(account, 'Grace@Example.com', { status_if_new: 'pending', list_id: 'L2' })),
    ).toEqual({ status: 'sent', providerMessageId: HASH });
    expect(fake.requests[0]!.problems).toEqual([]);
    expect(fake.requests[0]!.path).toBe(`/3.0/lists/L2/members/${HASH}`);
    expect(fake.requests[0]!.body).toEqual({
      email_address: 'Grace@Example.com',
      status_if_new: 'pending',
      merge_fields: { promo_code: 'CRM-42' },
    });
  });

  it('skips a customer without email', () => {
    expect(mailchimp.recipient(noEmail)).toEqual({ skip: 'missing_email' });
    expect(mailchimp.recipient(customer)).toEqual({ to: 'Grace@Example.com' });
  });

  it('treats 429 as transient after its Retry-After', async () => {
    fake.script([
      {
        status: 429,
        headers: { 'Retry-After': '7', 'Content-Type': 'application/problem+json' },
        body: {
          type: 'x',
          title: 'Too Many Requests',
          status: 429,
          detail: 'You have exceeded the limit of 10 simultaneous connections.',
        },
      },
    ]);
    expect(await mailchimp.send(message(account, 'Grace@Example.com', settings))).toEqual({
      status: 'transient',
      error: 'mailchimp answered 429: Too Many Requests — You have exceeded the limit of 10 simultaneous connections.',
      retryAfterMs: 7000,
    });
  });

  it('treats 5xx as transient', async () => {
    fake.script([{ status: 503, body: '<html>Service Unavailable</html>' }]);
    expect(await mailchimp.send(message(account, 'Grace@Example.com', settings))).toEqual({
      status: 'transient',
      error: 'mailchimp answered 503',
    });
  });

  it('treats 400 as permanent with the problem detail', async () => {
    fake.script([
      {
        status: 400,
        headers: { 'Content-Type': 'application/problem+json' },
        body: {
          title: 'Invalid Resource',
          status: 400,
          detail: 'Grace@Example.com looks fake or invalid, please enter a real email address.',
        },
      },
    ]);
    expect(await mailchimp.send(message(account, 'Grace@Example.com', settings))).toEqual({
      status: 'permanent',
      error:
        'mailchimp answered 400: Invalid Resource — Grace@Example.com looks fake or invalid, please enter a real email address.',
    });
  });

  it('tests the connection with ping, and a failing one never shows the key', async () => {
    expect(await mailchimp.testConnection(account)).toEqual({ ok: true });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /3.0/ping']);
    fake.script([
      {
        status: 401,
        headers: { 'Content-Type': 'application/problem+json' },
        body: { title: 'API Key Invalid', status: 401, detail: `Your API key ${KEY} may be invalid.` },
      },
    ]);
    const failed = await mailchimp.testConnection(account);
    expect(failed).toEqual({
      ok: false,
      error: 'mailchimp answered 401: API Key Invalid — Your API key [redacted] may be invalid.',
    });
    expectNoSecret(failed, KEY);
  });

  it('checks the account: a key with its data centre, a list id', () => {
    expect(mailchimp.account.validate({ credentials: { api_key: KEY }, settings: { list_id: 'L1' } })).toEqual([]);
    expect(mailchimp.account.validate({ credentials: { api_key: 'nodc' }, settings: {} })).toEqual([
      'api_key must look like <key>-<data centre>, e.g. …-us19',
      'list_id is required',
    ]);
    expect(mailchimp.validateSettings({ status_if_new: 'maybe' })).toEqual([
      'status_if_new must be one of subscribed, pending, unsubscribed, cleaned, transactional',
    ]);
  });
});

describe('ActiveCampaign channel (contact sync)', () => {
  const TOKEN = 'ac-secret-token-5d2b9f';
  // https://developers.activecampaign.com/reference/sync-a-contacts-data
  const syncSchema = ajv.compile({
    type: 'object',
    required: ['contact'],
    additionalProperties: false,
    properties: {
      contact: {
        type: 'object',
        required: ['email'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', minLength: 3 },
          firstName: { type: 'string' },
          lastName: { type: 'string' },
          phone: { type: 'string' },
          fieldValues: {
            type: 'array',
            items: {
              type: 'object',
              required: ['field', 'value'],
              additionalProperties: false,
              properties: { field: { type: 'string', pattern: '^[0-9]+$' }, value: { type: 'string' } },
            },
          },
        },
      },
    },
  });
  let fake: FakeProvider;
  let account: ChannelAccount;
  let ac: ActiveCampaignChannel;
  const settings = {
    fields: { firstName: 'customer.name', '12': 'voucher.code', '%promo_expires%': 'voucher.expiration_date' },
  };

  beforeAll(async () => {
    fake = await startFakeProvider({
      validate: documented(
        {
          'POST /api/3/contact/sync': (req) => bodyProblems(syncSchema, req.body),
          'GET /api/3/fields': () => [],
          'GET /api/3/users/me': () => [],
        },
        (req) => (req.headers['api-token'] === TOKEN ? undefined : 'missing or wrong Api-Token'),
      ),
      defaultResponse: (req) => {
        if (req.path === '/api/3/fields')
          return {
            status: 200,
            body: { fields: [{ id: '7', perstag: 'PROMO_EXPIRES', title: 'Promo expires' }], meta: { total: '1' } },
          };
        if (req.path === '/api/3/users/me') return { status: 200, body: { user: { id: '1', username: 'admin' } } };
        return { status: 201, body: { contact: { id: '99', email: 'Grace@Example.com' } } };
      },
    });
    account = { id: 'acc_ac', credentials: { api_token: TOKEN }, settings: { api_url: 'https://acme.api-us1.com' } };
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    ac = new ActiveCampaignChannel({ baseUrl: fake.url });
  });

  it('syncs the contact with its first name and custom field values (ids and personalization tags) and reports the contact id', async () => {
    const result = await ac.send(message(account, 'Grace@Example.com', settings));
    expect(result).toEqual({ status: 'sent', providerMessageId: '99' });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/3/fields',
      'POST /api/3/contact/sync',
    ]);
    expect(fake.requests.every((r) => r.problems.length === 0)).toBe(true);
    expect(fake.requests[1]!.body).toEqual({
      contact: {
        email: 'Grace@Example.com',
        firstName: 'Grace',
        fieldValues: [
          { field: '12', value: 'CRM-42' },
          { field: '7', value: EXPIRES },
        ],
      },
    });
    // The field list is read once per account, not per message.
    await ac.send(message(account, 'Grace@Example.com', settings));
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/3/fields',
      'POST /api/3/contact/sync',
      'POST /api/3/contact/sync',
    ]);
  });

  it('fails permanently, naming it, for a personalization tag the account does not have', async () => {
    expect(await ac.send(message(account, 'Grace@Example.com', { fields: { NOPE: 'voucher.code' } }))).toEqual({
      status: 'permanent',
      error: 'activecampaign: no custom field with the personalization tag %NOPE%',
    });
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/3/fields']);
  });

  it('skips a customer without email', () => {
    expect(ac.recipient(noEmail)).toEqual({ skip: 'missing_email' });
  });

  it('treats 429 as transient after its Retry-After', async () => {
    fake.script([{ status: 429, headers: { 'Retry-After': '3' }, body: { message: 'Too many requests' } }]);
    expect(await ac.send(message(account, 'Grace@Example.com', { fields: { '12': 'voucher.code' } }))).toEqual({
      status: 'transient',
      error: 'activecampaign answered 429: Too many requests',
      retryAfterMs: 3000,
    });
  });

  it('treats 5xx as transient', async () => {
    fake.script([{ status: 500, body: '' }]);
    expect(await ac.send(message(account, 'Grace@Example.com', { fields: { '12': 'voucher.code' } }))).toEqual({
      status: 'transient',
      error: 'activecampaign answered 500',
    });
  });

  it('treats 422 as permanent with the validation errors', async () => {
    fake.script([
      {
        status: 422,
        body: {
          errors: [
            {
              title: 'Email address is not valid.',
              detail: '',
              code: 'email_invalid',
              source: { pointer: '/data/attributes/email' },
            },
          ],
        },
      },
    ]);
    expect(await ac.send(message(account, 'Grace@Example.com', { fields: { '12': 'voucher.code' } }))).toEqual({
      status: 'permanent',
      error: 'activecampaign answered 422: Email address is not valid.',
    });
  });

  it('tests the connection with users/me, and a failing one never shows the token', async () => {
    expect(await ac.testConnection(account)).toEqual({ ok: true });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/3/users/me']);
    fake.script([
      { status: 403, body: { message: `You are not authorized to access this resource (token ${TOKEN})` } },
    ]);
    const failed = await ac.testConnection(account);
    expect(failed).toEqual({
      ok: false,
      error: 'activecampaign answered 403: You are not authorized to access this resource (token [redacted])',
    });
    expectNoSecret(failed, TOKEN);
  });

  it('checks the field names: ids, personalization tags and the contact fields', () => {
    expect(ac.validateSettings(settings)).toEqual([]);
    expect(ac.validateSettings({ fields: { 'promo code!': 'voucher.code' } })).toEqual([
      'fields.promo code!: not a custom field id, a personalization tag (PROMO_CODE) or one of firstName, lastName, phone',
    ]);
  });

  it("checks the account: an api_url on ActiveCampaign's own domains", () => {
    expect(
      ac.account.validate({ credentials: { api_token: 't' }, settings: { api_url: 'https://acme.api-us1.com' } }),
    ).toEqual([]);
    expect(
      ac.account.validate({ credentials: { api_token: 't' }, settings: { api_url: 'https://acme.activehosted.com/' } }),
    ).toEqual([]);
    expect(ac.account.validate({ credentials: { api_token: 't' }, settings: {} })).toEqual(['api_url is required']);
    for (const elsewhere of [
      'http://acme.api-us1.com',
      'https://acme.api-us1.com.attacker.example',
      'https://attacker.example/?acme.api-us1.com',
      'http://127.0.0.1:9000',
      'https://a.b.api-us1.com',
    ]) {
      expect(ac.account.validate({ credentials: { api_token: 't' }, settings: { api_url: elsewhere } })).toEqual([
        expect.stringMatching(/^api_url must be the account's ActiveCampaign API host/),
      ]);
    }
  });
});

describe('Intercom channel (contact custom attributes; every request validated against the 2.14 spec)', () => {
  const TOKEN = 'intercom-secret-token-b81a';
  let fake: FakeProvider;
  let account: ChannelAccount;
  let intercom: IntercomChannel;
  const settings = {
    fields: { promo_code: 'voucher.code', promo_expires: 'voucher.expiration_date', tier: 'customer.metadata.tier' },
  };
  const attributes = { promo_code: 'CRM-42', promo_expires: EXPIRES, tier: 'gold' };
  let existing: { id: string; external_id: string | null; email: string | null }[] = [];

  const routes = (req: ProviderRequest): { status: number; body: unknown } | undefined => {
    if (req.path === '/contacts/search')
      return {
        status: 200,
        body: { type: 'list', data: existing.map((c) => ({ type: 'contact', ...c })), total_count: existing.length },
      };
    if (req.method === 'POST' && req.path === '/contacts')
      return { status: 200, body: { type: 'contact', id: 'ic_new', external_id: 'crm-1', email: 'Grace@Example.com' } };
    if (req.method === 'PUT') return { status: 200, body: { type: 'contact', id: req.path.split('/').pop() } };
    if (req.path === '/me') return { status: 200, body: { type: 'admin', id: '1', email: 'ops@example.com' } };
    return undefined;
  };

  beforeAll(async () => {
    const spec = await loadOpenApi(INTERCOM_SPEC);
    const validateSpec = openApiValidator(spec);
    fake = await startFakeProvider({
      validate: (req) => [
        ...validateSpec(req),
        ...(req.headers.authorization === `Bearer ${TOKEN}` ? [] : ['missing or wrong bearer token']),
        ...(req.headers['intercom-version'] === '2.14' ? [] : ['Intercom-Version is not 2.14']),
      ],
      defaultResponse: (req) =>
        routes(req) ?? {
          status: 404,
          body: { type: 'error.list', errors: [{ code: 'not_found', message: 'Resource Not Found' }] },
        },
    });
    account = { id: 'acc_ic', credentials: { access_token: TOKEN }, settings: {} };
    intercom = new IntercomChannel({ baseUrl: fake.url });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    existing = [];
  });
  afterEach(() => {
    expect(fake.requests.flatMap((r) => r.problems)).toEqual([]);
  });

  it('has a live spec check: a body the spec refuses is flagged', async () => {
    const spec = await loadOpenApi(INTERCOM_SPEC);
    expect(
      validateRequest(spec, {
        method: 'PUT',
        path: '/contacts/ic_1',
        contentType: 'application/json',
        body: { custom_attributes: 'CRM-42' },
      }),
    ).not.toEqual([]);
    expect(
      validateRequest(spec, {
        method: 'POST',
        path: '/contacts/search',
        contentType: 'application/json',
        body: { query: { operator: 'XOR', value: [] } },
      }),
    ).not.toEqual([]);
  });

  it('creates a missing contact as a user with the external id, then writes the custom attributes', async () => {
    const result = await intercom.send(message(account, 'crm-1', settings));
    expect(result).toEqual({ status: 'sent', providerMessageId: 'ic_new' });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /contacts/search',
      'POST /contacts',
      'PUT /contacts/ic_new',
    ]);
    expect(fake.requests[0]!.body).toEqual({
      query: {
        operator: 'OR',
        value: [
          { field: 'external_id', operator: '=', value: 'crm-1' },
          { field: 'email', operator: '=', value: 'Grace@Example.com' },
        ],
      },
      pagination: { per_page: 10 },
    });
    expect(fake.requests[1]!.body).toEqual({
      role: 'user',
      external_id: 'crm-1',
      email: 'Grace@Example.com',
      name: 'Grace',
    });
    expect(fake.requests[2]!.body).toEqual({ custom_attributes: attributes });
  });

  it('updates the contact found by external id', async () => {
    existing = [
      { id: 'ic_lead', external_id: null, email: 'grace@example.com' },
      { id: 'ic_1', external_id: 'crm-1', email: 'grace@example.com' },
    ];
    expect(await intercom.send(message(account, 'crm-1', settings))).toEqual({
      status: 'sent',
      providerMessageId: 'ic_1',
    });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /contacts/search', 'PUT /contacts/ic_1']);
    expect(fake.requests[1]!.body).toEqual({ custom_attributes: attributes });
  });

  it('falls back to the contact with the email and gives it the external id', async () => {
    existing = [{ id: 'ic_lead', external_id: null, email: 'grace@example.com' }];
    expect(await intercom.send(message(account, 'crm-1', settings))).toEqual({
      status: 'sent',
      providerMessageId: 'ic_lead',
    });
    expect(fake.requests[1]!.body).toEqual({ custom_attributes: attributes, external_id: 'crm-1' });
  });

  it('searches by external id alone for a customer without email', async () => {
    const to = intercom.recipient(noEmail);
    expect(to).toEqual({ to: 'cust_noemail' });
    await intercom.send(message(account, 'cust_noemail', settings, noEmail));
    expect(fake.requests[0]!.body).toEqual({
      query: { field: 'external_id', operator: '=', value: 'cust_noemail' },
      pagination: { per_page: 10 },
    });
    expect(fake.requests[1]!.body).toEqual({ role: 'user', external_id: 'cust_noemail', name: 'Nomail' });
  });

  it('treats 429 as transient until X-RateLimit-Reset', async () => {
    const reset = Math.floor(Date.now() / 1000) + 5;
    fake.script([
      {
        status: 429,
        headers: { 'X-RateLimit-Reset': String(reset) },
        body: {
          type: 'error.list',
          errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 10000 in 10_seconds' }],
        },
      },
    ]);
    const result = await intercom.send(message(account, 'crm-1', settings));
    expect(result).toMatchObject({
      status: 'transient',
      error: 'intercom answered 429: rate_limit_exceeded: Exceeded rate limit of 10000 in 10_seconds',
    });
    const wait = (result as { retryAfterMs?: number }).retryAfterMs!;
    expect(wait).toBeGreaterThan(3000);
    expect(wait).toBeLessThanOrEqual(5000);
  });

  it('retries a create that conflicts with a contact made meanwhile', async () => {
    fake.respond((req) =>
      req.method === 'POST' && req.path === '/contacts'
        ? {
            status: 409,
            body: {
              type: 'error.list',
              errors: [{ code: 'conflict', message: 'A contact matching those details already exists with id=ic_9' }],
            },
          }
        : undefined,
    );
    try {
      expect(await intercom.send(message(account, 'crm-1', settings))).toEqual({
        status: 'transient',
        error: 'intercom answered 409: conflict: A contact matching those details already exists with id=ic_9',
      });
    } finally {
      fake.respond(undefined);
    }
  });

  it('treats 5xx as transient', async () => {
    existing = [{ id: 'ic_1', external_id: 'crm-1', email: null }];
    fake.respond((req) =>
      req.method === 'PUT'
        ? {
            status: 503,
            headers: { 'Retry-After': '2' },
            body: {
              type: 'error.list',
              errors: [{ code: 'service_unavailable', message: 'Sorry, the API service is temporarily unavailable' }],
            },
          }
        : undefined,
    );
    try {
      expect(await intercom.send(message(account, 'crm-1', settings))).toEqual({
        status: 'transient',
        error: 'intercom answered 503: service_unavailable: Sorry, the API service is temporarily unavailable',
        retryAfterMs: 2000,
      });
    } finally {
      fake.respond(undefined);
    }
  });

  it('treats 4xx as permanent with the reason', async () => {
    existing = [{ id: 'ic_1', external_id: 'crm-1', email: null }];
    fake.respond((req) =>
      req.method === 'PUT'
        ? {
            status: 400,
            body: {
              type: 'error.list',
              errors: [{ code: 'parameter_invalid', message: "Custom attribute 'promo_code' does not exist" }],
            },
          }
        : undefined,
    );
    try {
      expect(await intercom.send(message(account, 'crm-1', settings))).toEqual({
        status: 'permanent',
        error: "intercom answered 400: parameter_invalid: Custom attribute 'promo_code' does not exist",
      });
    } finally {
      fake.respond(undefined);
    }
  });

  it('tests the connection with /me, and a failing one never shows the token', async () => {
    expect(await intercom.testConnection(account)).toEqual({ ok: true });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /me']);
    fake.script([
      {
        status: 401,
        body: { type: 'error.list', errors: [{ code: 'unauthorized', message: `Access Token Invalid: ${TOKEN}` }] },
      },
    ]);
    const failed = await intercom.testConnection(account);
    expect(failed).toEqual({
      ok: false,
      error: 'intercom answered 401: unauthorized: Access Token Invalid: [redacted]',
    });
    expectNoSecret(failed, TOKEN);
  });

  it('sends to no one without an account', async () => {
    const { account: _none, ...bare } = message(account, 'crm-1', settings);
    expect(await intercom.send(bare)).toEqual({
      status: 'permanent',
      error: 'intercom: the channel has no account with an access_token',
    });
  });
});
