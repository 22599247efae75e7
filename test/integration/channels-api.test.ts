import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../src/channels/secrets';
import { FakeKeyChannel, startFakeKeyProvider, type FakeKeyProvider } from '../helpers/fake-key-channel';
import { useServiceHarness } from '../helpers/harness';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('the channels API (provider accounts)', () => {
  const KEY = 'fk_live_0123456789abcdef';
  const SIGNING = 'sig_very_secret_98765';
  const OTHER_KEY = 'fk_rotated_key_abcdef987';
  const WRONG_KEY = 'fk_wrong_key_55555_zzz';
  const secrets = [KEY, SIGNING, OTHER_KEY, WRONG_KEY];
  let provider: FakeKeyProvider;
  beforeAll(async () => {
    provider = await startFakeKeyProvider([KEY, OTHER_KEY]);
  });
  afterAll(async () => provider?.close());
  const h = useServiceHarness('chanapi', {
    channels: [new FakeKeyChannel('fakekey'), new FakeKeyChannel('fakenotest', false)],
  });

  async function api(
    method: string,
    path: string,
    body?: unknown,
    auth = true,
  ): Promise<{ status: number; body: Json; text: string }> {
    const res = await fetch(`${h.sdk.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? h.t.auth : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  }

  const account = (over: Record<string, unknown> = {}) => ({
    type: 'fakekey',
    name: 'Fake production',
    credentials: { api_key: KEY, signing_secret: SIGNING },
    settings: { base_url: provider.url, sender: 'promo@example.com' },
    ...over,
  });
  const expectNoSecret = (text: string) => {
    for (const s of secrets) expect(text).not.toContain(s);
  };
  const raw = (id: string) => h.t.ctx.models.ChannelAccount.collection.findOne({ _id: id as never });
  const box = () => new SecretBox(h.t.ctx.settings.channelSecretsKey);

  it('answers 401 without an application key', async () => {
    expect((await api('GET', '/v1/channels', undefined, false)).status).toBe(401);
    expect((await api('POST', '/v1/channels', account(), false)).status).toBe(401);
    expect(await h.t.ctx.models.ChannelAccount.countDocuments()).toBe(0);
  });

  it('creates an account with its credentials encrypted in the database and masked in the answer', async () => {
    const res = await api('POST', '/v1/channels', account());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: 'channel',
      type: 'fakekey',
      name: 'Fake production',
      credentials: { api_key: '••••', signing_secret: '••••' },
      credential_names: ['api_key', 'signing_secret'],
      settings: { base_url: provider.url, sender: 'promo@example.com' },
    });
    expect(res.body.id).toMatch(/^chan_/);
    expectNoSecret(res.text);

    const doc = await raw(res.body.id);
    expect(doc).toBeTruthy();
    expectNoSecret(JSON.stringify(doc));
    expect(doc!.credentials_encrypted).toEqual({
      v: 1,
      iv: expect.any(String),
      tag: expect.any(String),
      data: expect.any(String),
    });
    expect(doc!.credential_names).toEqual(['api_key', 'signing_secret']);
    expect(box().open(doc!.credentials_encrypted)).toEqual({ api_key: KEY, signing_secret: SIGNING });
  });

  it('refuses invalid accounts with 400 and per-field errors, writing nothing', async () => {
    const before = await h.t.ctx.models.ChannelAccount.countDocuments();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ type: 'nosuch' }, 'type', /unknown channel type nosuch \(available: .*fakekey, fakenotest\)/],
      [{ type: 'email' }, 'type', /email needs no account/],
      [{ credentials: { api_key: KEY } }, 'credentials.signing_secret', /required by fakekey/],
      [
        { credentials: { api_key: KEY, signing_secret: SIGNING, password: 'x1234' } },
        'credentials.password',
        /unknown credential for fakekey \(expected: api_key, signing_secret\)/,
      ],
      [{ credentials: { api_key: 'sk_nope_1234', signing_secret: SIGNING } }, 'account', /api_key must start with fk_/],
      [{ settings: { base_url: 'ftp://x' } }, 'account', /base_url must be an http\(s\) URL/],
    ];
    for (const [over, field, reason] of cases) {
      const res = await api('POST', '/v1/channels', account(over));
      expect(res.status).toBe(400);
      expect(res.body.key).toBe('invalid_channel');
      expect(res.body.errors).toEqual(expect.arrayContaining([{ field, reason: expect.stringMatching(reason) }]));
      expectNoSecret(res.text);
    }
    // Schema-level: credentials must be strings, the name is required.
    const bad = await api('POST', '/v1/channels', { type: 'fakekey', credentials: { api_key: 12 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['name', 'credentials.api_key']),
    );
    expect(await h.t.ctx.models.ChannelAccount.countDocuments()).toBe(before);
  });

  it('lists accounts by type and gets one, never with credentials', async () => {
    const second = (await api('POST', '/v1/channels', account({ type: 'fakenotest', name: 'No test' }))).body;
    const all = await api('GET', '/v1/channels?limit=100');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ object: 'list', data_ref: 'data', has_more: false });
    expect(all.body.total).toBeGreaterThanOrEqual(2);
    expectNoSecret(all.text);
    const filtered = await api('GET', '/v1/channels?type=fakenotest');
    expect(filtered.body.data.map((c: { id: string }) => c.id)).toEqual([second.id]);
    expect(filtered.body.data[0].credentials).toEqual({ api_key: '••••', signing_secret: '••••' });

    const got = await api('GET', `/v1/channels/${second.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      id: second.id,
      type: 'fakenotest',
      name: 'No test',
      credential_names: ['api_key', 'signing_secret'],
    });
    expectNoSecret(got.text);
    expect((await api('GET', '/v1/channels/chan_nosuch')).status).toBe(404);
  });

  it('updates name and settings, and merges a partial credentials update into the stored ones', async () => {
    const id = (await api('POST', '/v1/channels', account())).body.id as string;
    const res = await api('PUT', `/v1/channels/${id}`, {
      name: 'Renamed',
      credentials: { api_key: OTHER_KEY },
      settings: { base_url: provider.url },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      settings: { base_url: provider.url },
      credentials: { api_key: '••••', signing_secret: '••••' },
    });
    expect(res.body.settings.sender).toBeUndefined();
    expectNoSecret(res.text);
    const doc = await raw(id);
    expectNoSecret(JSON.stringify(doc));
    // The omitted signing_secret kept its value.
    expect(box().open(doc!.credentials_encrypted)).toEqual({ api_key: OTHER_KEY, signing_secret: SIGNING });

    const unknown = await api('PUT', `/v1/channels/${id}`, { credentials: { token: 'abcd1234' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { field: 'credentials.token', reason: expect.stringMatching(/unknown credential/) },
    ]);
    const invalidKey = await api('PUT', `/v1/channels/${id}`, { credentials: { api_key: 'nope_1234' } });
    expect(invalidKey.status).toBe(400);
    expect(invalidKey.body.errors).toEqual([{ field: 'account', reason: 'api_key must start with fk_' }]);
    const empty = await api('PUT', `/v1/channels/${id}`, {});
    expect(empty.status).toBe(400);
    // Refused updates changed nothing.
    expect(box().open((await raw(id))!.credentials_encrypted)).toEqual({ api_key: OTHER_KEY, signing_secret: SIGNING });
    expect((await api('PUT', '/v1/channels/chan_nosuch', { name: 'x' })).status).toBe(404);
  });

  it('tests the connection with the decrypted key: ok, refused, or not supported', async () => {
    const good = (await api('POST', '/v1/channels', account())).body.id as string;
    const seen = provider.requests.length;
    const ok = await api('POST', `/v1/channels/${good}/test`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true });
    expect(provider.requests.slice(seen)).toEqual([
      expect.objectContaining({ path: '/me', authorization: `Bearer ${KEY}` }),
    ]);

    const wrong = (
      await api('POST', '/v1/channels', account({ credentials: { api_key: WRONG_KEY, signing_secret: SIGNING } }))
    ).body.id as string;
    const failing = await api('POST', `/v1/channels/${wrong}/test`);
    expect(failing.status).toBe(200);
    expect(failing.body.ok).toBe(false);
    // The fake quotes the key back; the answer carries the mask instead.
    expect(failing.body.error).toBe('401 {"error":"invalid api key ••••"}');
    expectNoSecret(failing.text);

    const noTest = (await api('POST', '/v1/channels', account({ type: 'fakenotest' }))).body.id as string;
    const unsupported = await api('POST', `/v1/channels/${noTest}/test`);
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.key).toBe('not_supported');
    expect((await api('POST', '/v1/channels/chan_nosuch/test')).status).toBe(404);
  });

  it('answers a clear 500 without the blob when credentials were encrypted under another key', async () => {
    const id = (await api('POST', '/v1/channels', account())).body.id as string;
    const foreign = new SecretBox(randomBytes(32)).seal({ api_key: KEY, signing_secret: SIGNING });
    await h.t.ctx.models.ChannelAccount.collection.updateOne(
      { _id: id as never },
      { $set: { credentials_encrypted: foreign } },
    );
    const res = await api('POST', `/v1/channels/${id}/test`);
    expect(res.status).toBe(500);
    expect(res.body.key).toBe('channel_credentials_undecryptable');
    expect(res.body.details).toMatch(/another CHANNEL_SECRETS_KEY/);
    expect(res.body.details).toContain(id);
    for (const part of [foreign.data, foreign.tag, foreign.iv]) expect(res.text).not.toContain(part);
    // A partial credentials update needs the stored ones: the same answer, nothing overwritten.
    const update = await api('PUT', `/v1/channels/${id}`, { credentials: { api_key: OTHER_KEY } });
    expect(update.status).toBe(500);
    expect((await raw(id))!.credentials_encrypted).toEqual(foreign);
  });

  it('deletes an account, but not while a live distribution sends through it', async () => {
    const id = (await api('POST', '/v1/channels', account())).body.id as string;
    const d = await api('POST', '/v1/distributions', {
      name: 'Paid orders via fake',
      trigger: { type: 'order_paid' },
      purpose: { type: 'plain' },
      consents: { verification: false },
      channels: [{ type: 'fakekey', channel_id: id, template: { subject: 'Thanks', text: 'Hi {{customer.name}}' } }],
    });
    expect(d.status).toBe(200);
    expect(d.body.channels[0].channel_id).toBe(id);
    const refused = await api('DELETE', `/v1/channels/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.key).toBe('channel_in_use');
    expect(refused.body.details).toContain(d.body.id);
    expect((await api('GET', `/v1/channels/${id}`)).status).toBe(200);

    expect((await api('POST', `/v1/distributions/${d.body.id}/cancel`)).status).toBe(200);
    expect((await api('DELETE', `/v1/channels/${id}`)).status).toBe(204);
    expect((await api('GET', `/v1/channels/${id}`)).status).toBe(404);
    expect(await raw(id)).toBeNull();
    expect((await api('DELETE', `/v1/channels/${id}`)).status).toBe(404);
  });

  it('never lets the API point stored credentials at another host: base_url, api_url and rest_endpoint outside the provider are 400 and nothing is sent', async () => {
    const receiver = await startFakeKeyProvider([]);
    try {
      const real = [
        {
          type: 'sendgrid',
          name: 'SendGrid',
          credentials: { api_key: 'SG.exfil-target-key-1' },
          settings: { from: 'promo@example.com' },
        },
        {
          type: 'mailgun',
          name: 'Mailgun',
          credentials: { api_key: 'key-exfil-target-2' },
          settings: { domain: 'mg.example.com', from: 'promo@example.com', region: 'eu' },
        },
        {
          type: 'braze',
          name: 'Braze',
          credentials: { api_key: 'braze-exfil-target-3' },
          settings: { rest_endpoint: 'https://rest.fra-01.braze.eu' },
        },
        {
          type: 'activecampaign',
          name: 'AC',
          credentials: { api_token: 'ac-exfil-target-4' },
          settings: { api_url: 'https://acme.api-us1.com' },
        },
      ];
      const moved = (type: string): Record<string, unknown> =>
        type === 'braze'
          ? { rest_endpoint: receiver.url }
          : type === 'activecampaign'
            ? { api_url: receiver.url }
            : { base_url: receiver.url };
      for (const body of real) {
        const created = await api('POST', '/v1/channels', body);
        expect(created.status).toBe(200);
        // Creating one pointed elsewhere is refused …
        const elsewhere = await api('POST', '/v1/channels', {
          ...body,
          settings: { ...body.settings, ...moved(body.type) },
        });
        expect(elsewhere.status).toBe(400);
        expect(elsewhere.body.errors).toEqual([
          {
            field: 'account',
            reason: expect.stringMatching(
              /base_url is not an account setting|rest_endpoint must be your Braze cluster|api_url must be the account's ActiveCampaign API host/,
            ),
          },
        ]);
        // … and so is moving a stored one, keeping its credentials.
        const put = await api('PUT', `/v1/channels/${created.body.id}`, {
          name: body.name,
          settings: { ...body.settings, ...moved(body.type) },
        });
        expect(put.status).toBe(400);
        const stored = await api('GET', `/v1/channels/${created.body.id}`);
        expect(stored.body.settings).toEqual(body.settings);
        expect((await api('DELETE', `/v1/channels/${created.body.id}`)).status).toBeLessThan(300);
        for (const secret of Object.values(body.credentials)) expect(elsewhere.text + put.text).not.toContain(secret);
      }
      expect(
        (
          await api('POST', '/v1/channels', {
            ...real[1],
            settings: { ...real[1]!.settings, region: 'http://127.0.0.1' },
          })
        ).status,
      ).toBe(400);
      expect(receiver.requests).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('documents /v1/channels in the OpenAPI spec', async () => {
    const spec = (await api('GET', '/openapi.json', undefined, false)).body;
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/channels', '/v1/channels/{id}', '/v1/channels/{id}/test']),
    );
    expect(Object.keys(spec.paths['/v1/channels/{id}'])).toEqual(expect.arrayContaining(['get', 'put', 'delete']));
  });

  it('never logged a credential through all of the above', () => {
    expect(h.t.logs.text.length).toBeGreaterThan(0);
    expectNoSecret(h.t.logs.text);
  });
});
