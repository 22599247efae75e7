import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { createTestContext, type TestContext } from '../helpers/context';
import { eventually, listenWithSdk } from '../helpers/sdk';

describe('consents and channel opt-outs', () => {
  let t: TestContext;
  let app: Express;
  let sdk: Awaited<ReturnType<typeof listenWithSdk>>;
  let newsletter: string;
  let smsOffers: string;
  let marketing: string;

  beforeAll(async () => {
    t = await createTestContext('consents');
    app = createApp(t.ctx);
    sdk = await listenWithSdk(app, t.auth);
    const post = async (path: string, body: object) => {
      const res = await request(app).post(path).set(t.auth).send(body);
      expect(res.status).toBe(200);
      return res.body.id as string;
    };
    newsletter = await post('/v1/consents', { name: 'Newsletter', description: 'Weekly news', category: 'marketing' });
    smsOffers = await post('/v1/consents', { name: 'SMS offers' });
    marketing = await post('/v1/consents/groups', { name: 'Marketing', consents: [newsletter, smsOffers] });
  });
  afterAll(async () => {
    await sdk.close();
    await t.close();
  });

  const newCustomer = async (sourceId: string) =>
    ((await sdk.client.customers.create({ source_id: sourceId })) as { id: string }).id;
  const count = (customerId: string, type: string) =>
    t.ctx.models.DomainEvent.countDocuments({ customer_id: customerId, type });
  /** Waits until the customer's outbox is relayed, so event counts are final. */
  const settled = (customerId: string) =>
    eventually(
      async () =>
        !(await t.ctx.models.Customer.findById(customerId, { outbox_pending: 1 }).lean())?.outbox_pending
          ? true
          : undefined,
      5_000,
      'customer events relayed',
    );
  const view = async (customerId: string) =>
    (await request(app).get(`/v1/customers/${customerId}/consents`).set(t.auth)).body;
  const version = async (customerId: string) => (await t.ctx.models.Customer.findById(customerId).lean())?.version;

  it('lists consents and groups in the shape the SDK expects', async () => {
    const listed = await sdk.client.consents.list();
    expect(listed).toEqual({
      groups: {
        object: 'list',
        total: 1,
        data_ref: 'data',
        data: [
          {
            id: marketing,
            name: 'Marketing',
            description: null,
            consents: [newsletter, smsOffers],
            created_at: expect.any(String),
            updated_at: expect.any(String),
            object: 'consent_group',
          },
        ],
      },
      consents: {
        object: 'list',
        total: 2,
        data_ref: 'data',
        data: [
          {
            id: newsletter,
            name: 'Newsletter',
            description: 'Weekly news',
            category: 'marketing',
            created_at: expect.any(String),
            updated_at: expect.any(String),
            object: 'consent',
          },
          {
            id: smsOffers,
            name: 'SMS offers',
            description: null,
            category: null,
            created_at: expect.any(String),
            updated_at: expect.any(String),
            object: 'consent',
          },
        ],
      },
    });
    expect(newsletter).toMatch(/^cnst_/);
    expect(marketing).toMatch(/^cnstgr_/);
  });

  it('grants and revokes through the SDK, raising events only for real changes', async () => {
    const id = await newCustomer('consenting');
    expect(await sdk.client.customers.updateConsents(id, { [newsletter]: true })).toBe('');
    // Granting again, by source_id this time, changes nothing.
    await sdk.client.customers.updateConsents('consenting', { [newsletter]: true });
    await settled(id);
    expect(await count(id, 'customer.consents.given')).toBe(1);
    const given = await t.ctx.models.DomainEvent.findOne({ customer_id: id, type: 'customer.consents.given' }).lean();
    expect(given?.data).toEqual({
      customer: expect.objectContaining({ id, source_id: 'consenting', object: 'customer' }),
      consents: [{ id: newsletter, name: 'Newsletter', object: 'consent' }],
    });
    expect(await view(id)).toEqual({
      consents: [{ id: newsletter, name: 'Newsletter', granted: true, updated_at: expect.any(String) }],
      unsubscribed_channels: [],
    });

    // Revoking the group revokes the newsletter; SMS offers was never granted, so only its "no" is recorded.
    await sdk.client.customers.updateConsents(id, { [marketing]: false });
    await settled(id);
    expect(await count(id, 'customer.consents.revoked')).toBe(1);
    const revoked = await t.ctx.models.DomainEvent.findOne({
      customer_id: id,
      type: 'customer.consents.revoked',
    }).lean();
    expect(revoked?.data.consents).toEqual([{ id: newsletter, name: 'Newsletter', object: 'consent' }]);
    expect((await view(id)).consents.map((c: { id: string; granted: boolean }) => [c.id, c.granted])).toEqual([
      [newsletter, false],
      [smsOffers, false],
    ]);

    // A consent named on its own wins over its group.
    await sdk.client.customers.updateConsents(id, { [marketing]: true, [smsOffers]: false });
    await settled(id);
    expect(await count(id, 'customer.consents.given')).toBe(2);
    const latest = await t.ctx.models.DomainEvent.find({ customer_id: id, type: 'customer.consents.given' })
      .sort({ created_at: -1 })
      .limit(1)
      .lean();
    expect(latest[0]?.data.consents).toEqual([{ id: newsletter, name: 'Newsletter', object: 'consent' }]);
  });

  it('unsubscribes and resubscribes per channel and through {unsubscribed}, with one event per change', async () => {
    const id = await newCustomer('opting-out');
    await sdk.client.customers.updateConsents(id, { unsubscribed: true });
    expect((await view(id)).unsubscribed_channels).toEqual(['all']);

    const sms = await request(app).post(`/v1/customers/${id}/unsubscribe`).set(t.auth).send({ channel: 'sms' });
    expect(sms.status).toBe(200);
    expect(sms.body.unsubscribed_channels).toEqual(['all', 'sms']);
    const again = await request(app).post(`/v1/customers/opting-out/unsubscribe`).set(t.auth).send({ channel: 'sms' });
    expect(again.body.unsubscribed_channels).toEqual(['all', 'sms']);
    await settled(id);
    expect(await count(id, 'customer.unsubscribed')).toBe(2);
    const event = await t.ctx.models.DomainEvent.findOne({
      customer_id: id,
      type: 'customer.unsubscribed',
      'data.channel': 'sms',
    }).lean();
    expect(event?.data).toMatchObject({ customer: { id }, channel: 'sms', unsubscribed_channels: ['all', 'sms'] });

    const emailBack = await request(app).post(`/v1/customers/${id}/resubscribe`).set(t.auth).send({ channel: 'email' });
    expect(emailBack.body.unsubscribed_channels).toEqual(['all', 'sms']);
    await sdk.client.customers.updateConsents(id, { unsubscribed: false });
    expect((await view(id)).unsubscribed_channels).toEqual([]);
    await settled(id);
    expect(await count(id, 'customer.resubscribed')).toBe(1);
  });

  describe('bad input', () => {
    it('names an unknown consent id and changes nothing', async () => {
      const id = await newCustomer('careful');
      const before = await version(id);
      const res = await request(app)
        .put(`/v1/customers/${id}/consents`)
        .set(t.auth)
        .send({ [newsletter]: true, cnst_missing: true, cnstgr_missing: false });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'cnst_missing', reason: 'no such consent' },
        { field: 'cnstgr_missing', reason: 'no such consent group' },
      ]);
      await expect(sdk.client.customers.updateConsents(id, { cnst_nope: true })).rejects.toMatchObject({
        code: 400,
        details: expect.stringContaining('cnst_nope'),
      });
      expect(await version(id)).toBe(before);
      expect(await t.ctx.models.DomainEvent.countDocuments({ customer_id: id })).toBe(0);
    });

    it.each([
      ['a key that is no consent id', { newsletter: true }, 'newsletter'],
      ['a non-boolean answer', { cnst_x: 'yes' }, 'cnst_x'],
      ['a non-boolean unsubscribed', { unsubscribed: 1 }, 'unsubscribed'],
    ])('refuses %s on PUT consents', async (_what, body, field) => {
      const res = await request(app).put('/v1/customers/careful/consents').set(t.auth).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    });

    it('refuses unknown channels, unknown customers, and invalid definitions', async () => {
      const pigeon = await request(app)
        .post('/v1/customers/careful/unsubscribe')
        .set(t.auth)
        .send({ channel: 'pigeon' });
      expect(pigeon.status).toBe(400);
      expect(pigeon.body.errors[0].field).toBe('channel');
      expect(
        (
          await request(app)
            .put('/v1/customers/nobody/consents')
            .set(t.auth)
            .send({ [newsletter]: true })
        ).status,
      ).toBe(404);
      expect((await request(app).get('/v1/customers/nobody/consents').set(t.auth)).status).toBe(404);

      const [consents, groups] = [
        await t.ctx.models.Consent.countDocuments(),
        await t.ctx.models.ConsentGroup.countDocuments(),
      ];
      const nameless = await request(app)
        .post('/v1/consents')
        .set(t.auth)
        .send({ description: 'no name', colour: 'blue' });
      expect(nameless.status).toBe(400);
      expect(nameless.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['colour', 'name']);
      const ghostGroup = await request(app)
        .post('/v1/consents/groups')
        .set(t.auth)
        .send({ name: 'Ghosts', consents: [newsletter, 'cnst_ghost'] });
      expect(ghostGroup.status).toBe(400);
      expect(ghostGroup.body.errors).toEqual([{ field: 'cnst_ghost', reason: 'no such consent' }]);
      expect([await t.ctx.models.Consent.countDocuments(), await t.ctx.models.ConsentGroup.countDocuments()]).toEqual([
        consents,
        groups,
      ]);
    });
  });

  it('deletes a consent (it leaves its groups and customers’ views) and a group', async () => {
    const doomed = (await request(app).post('/v1/consents').set(t.auth).send({ name: 'Doomed' })).body.id as string;
    const group = (
      await request(app)
        .post('/v1/consents/groups')
        .set(t.auth)
        .send({ name: 'Temp', consents: [doomed, newsletter] })
    ).body.id as string;
    const id = await newCustomer('forgetful');
    await sdk.client.customers.updateConsents(id, { [doomed]: true });

    expect((await request(app).delete(`/v1/consents/${doomed}`).set(t.auth)).status).toBe(204);
    expect((await request(app).delete(`/v1/consents/${doomed}`).set(t.auth)).status).toBe(404);
    const listed = await sdk.client.consents.list();
    expect(listed.consents.data.map((c) => c.id)).not.toContain(doomed);
    expect(listed.groups.data.find((g) => g.id === group)?.consents).toEqual([newsletter]);
    expect((await view(id)).consents).toEqual([]);

    expect((await request(app).delete(`/v1/consents/${group}`).set(t.auth)).status).toBe(204);
    expect((await sdk.client.consents.list()).groups.data.map((g) => g.id)).toEqual([marketing]);
  });
});
