import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { createTestContext, type TestContext } from '../helpers/context';
import { listenWithSdk } from '../helpers/sdk';

describe('customers through @voucherify/sdk and HTTP', () => {
  let t: TestContext;
  let app: Express;
  let sdk: Awaited<ReturnType<typeof listenWithSdk>>;
  beforeAll(async () => {
    t = await createTestContext('customers');
    app = createApp(t.ctx);
    sdk = await listenWithSdk(app, t.auth);
  });
  afterAll(async () => {
    await sdk.close();
    await t.close();
  });

  it('creates a customer, then upserts by source_id instead of duplicating', async () => {
    const created = await sdk.createCustomer({
      source_id: 'crm-1',
      name: 'Ada',
      email: 'ada@example.com',
      metadata: { tier: 'gold' },
      address: { city: 'Berlin' },
    });
    expect(created).toMatchObject({
      object: 'customer',
      source_id: 'crm-1',
      name: 'Ada',
      email: 'ada@example.com',
      metadata: { tier: 'gold' },
      address: { city: 'Berlin', country: null },
    });
    expect(created.id).toMatch(/^cust_[0-9A-Za-z]{24}$/);
    expect(created.summary?.orders?.total_count).toBe(0);

    const again = await sdk.createCustomer({ source_id: 'crm-1', phone: '+4912345' });
    expect(again.id).toBe(created.id);
    expect(again).toMatchObject({ name: 'Ada', phone: '+4912345' });
    expect(await t.ctx.models.Customer.countDocuments({ source_id: 'crm-1' })).toBe(1);
  });

  it('gets by id or source_id, updates partially (null clears, metadata merges), deletes', async () => {
    const created = await sdk.createCustomer({
      source_id: 'crm-2',
      name: 'Bob',
      phone: '+1',
      metadata: { a: 1, b: 2 },
    });
    expect((await sdk.getCustomer('crm-2')).id).toBe(created.id);
    expect((await sdk.getCustomer(created.id)).source_id).toBe('crm-2');

    const updated = await sdk.updateCustomer({ source_id: 'crm-2', phone: null, metadata: { b: null, c: 3 } });
    expect(updated.phone).toBeNull();
    expect(updated.name).toBe('Bob');
    expect(updated.metadata).toEqual({ a: 1, c: 3 });

    await sdk.client.customers.delete(created.id);
    await expect(sdk.getCustomer(created.id)).rejects.toMatchObject({ code: 404, key: 'not_found' });
    const recreated = await sdk.createCustomer({ source_id: 'crm-2', name: 'Bob again' });
    expect(recreated.id).not.toBe(created.id);
  });

  it('lists with paging, filters and the SDK scroll', async () => {
    for (let i = 0; i < 12; i++)
      await sdk.createCustomer({
        source_id: `list-${i}`,
        email: `l${i}@example.com`,
        address: { city: i % 2 ? 'Paris' : 'Rome' },
      });
    const page1 = await sdk.client.customers.list({ limit: 5, page: 1, city: 'Paris' } as never);
    expect(page1).toMatchObject({ object: 'list', data_ref: 'customers', has_more: true });
    expect(page1.customers).toHaveLength(5);
    expect(page1.total).toBe(6);
    expect(page1.customers.every((c) => c.address?.city === 'Paris')).toBe(true);

    const byEmail = await sdk.client.customers.list({ email: 'l3@example.com' } as never);
    expect(byEmail.customers.map((c) => c.source_id)).toEqual(['list-3']);

    const scrolled: string[] = [];
    for await (const c of sdk.client.customers.scroll({ limit: 4 } as never) as AsyncIterable<{ source_id?: string }>)
      scrolled.push(c.source_id as string);
    expect(scrolled.filter((s) => s.startsWith('list-')).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `list-${i}`).sort(),
    );
    expect(new Set(scrolled).size).toBe(scrolled.length);
  });

  it('searches with ?q= by prefix of name (or a word of it), email, source_id or phone, ignoring case, literally', async () => {
    await sdk.createCustomer({
      source_id: 'srch-1',
      name: 'Grace Hopper',
      email: 'g.hopper@navy.example',
      phone: '+1555000',
    });
    await sdk.createCustomer({ source_id: 'srch-2', name: 'Hopperton Ltd', email: 'info@hopperton.example' });
    await sdk.createCustomer({ source_id: 'other-(3)', name: 'Zed', email: 'zed@example.com', phone: '+4470000' });
    const search = async (q: string) => {
      const res = await request(app).get('/v1/customers').query({ q, limit: 50 }).set(t.auth);
      expect(res.status).toBe(200);
      return (res.body.customers as Array<{ source_id: string }>).map((c) => c.source_id).sort();
    };
    expect(await search('hopp')).toEqual(['srch-1', 'srch-2']); // word of a name, and a name's start
    expect(await search('GRACE')).toEqual(['srch-1']);
    expect(await search('G.HOP')).toEqual(['srch-1']); // email prefix; the dot is literal
    expect(await search('g.hop')).toEqual(['srch-1']);
    expect(await search('gxhop')).toEqual([]); // a dot in the term is not a wildcard
    expect(await search('SRCH-')).toEqual(['srch-1', 'srch-2']);
    expect(await search('other-(')).toEqual(['other-(3)']); // regex syntax matched as text
    expect(await search('+447')).toEqual(['other-(3)']);
    expect(await search('opper')).toEqual([]); // prefix, not substring
    expect(await search('.*')).toEqual([]);
    const tooLong = await request(app)
      .get('/v1/customers')
      .query({ q: 'a'.repeat(101) })
      .set(t.auth);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors.map((e: { field: string }) => e.field)).toContain('query.q');
  });

  it('refuses bad input with the field and the reason, and writes nothing', async () => {
    const before = await t.ctx.models.Customer.countDocuments();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ source_id: 'x', email: 'not-an-email' }, 'email'],
      [{ source_id: 'x', birthdate: '31-12-2000' }, 'birthdate'],
      [{ source_id: 'x', nickname: 'unknown field' }, 'nickname'],
      [{ source_id: 'x', address: { city: 5 } }, 'address.city'],
      [{ source_id: 'x', metadata: { 'a.b': 1 } }, 'metadata.a.b'],
    ];
    for (const [body, field] of cases) {
      const res = await request(app).post('/v1/customers').set(t.auth).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await t.ctx.models.Customer.countDocuments()).toBe(before);
    const missing = await request(app).put('/v1/customers/nobody').set(t.auth).send({ name: 'x' });
    expect(missing.status).toBe(404);
  });

  it('serialises concurrent updates of one customer instead of losing one', async () => {
    const c = await sdk.createCustomer({ source_id: 'race', metadata: {} });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => sdk.updateCustomer({ id: c.id, metadata: { [`k${i}`]: i } })),
    );
    const final = await sdk.getCustomer(c.id);
    expect(Object.keys(final.metadata ?? {})).toHaveLength(20);
  });
});

describe('the customer metadata schema', () => {
  let t: TestContext;
  let app: Express;
  beforeAll(async () => {
    t = await createTestContext('metaschema');
    app = createApp(t.ctx);
  });
  afterAll(() => t.close());

  it('rejects metadata of the wrong type with a clear 400 once a schema is declared, on create and update', async () => {
    const declared = await request(app)
      .put('/v1/metadata-schemas/customer')
      .set(t.auth)
      .send({ properties: { points: { type: 'number' }, tier: { type: 'string', in: ['gold', 'silver'] } } });
    expect(declared.status).toBe(200);
    expect(declared.body).toMatchObject({ id: 'customer', object: 'metadata_schema', allow_defined_only: false });

    const bad = await request(app)
      .post('/v1/customers')
      .set(t.auth)
      .send({ source_id: 'typed', metadata: { points: 'many', tier: 'bronze' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ key: 'invalid_metadata' });
    expect(bad.body.errors).toEqual([
      { field: 'metadata.points', reason: 'expected a number' },
      { field: 'metadata.tier', reason: 'expected one of gold, silver' },
    ]);
    expect(await t.ctx.models.Customer.countDocuments({ source_id: 'typed' })).toBe(0);

    const good = await request(app)
      .post('/v1/customers')
      .set(t.auth)
      .send({ source_id: 'typed', metadata: { points: 5 } });
    expect(good.status).toBe(200);
    const badUpdate = await request(app)
      .put('/v1/customers/typed')
      .set(t.auth)
      .send({ metadata: { points: true } });
    expect(badUpdate.status).toBe(400);
    expect((await request(app).get('/v1/customers/typed').set(t.auth)).body.metadata).toEqual({ points: 5 });

    const invalidSchema = await request(app)
      .put('/v1/metadata-schemas/customer')
      .set(t.auth)
      .send({ properties: { x: { type: 'currency' } } });
    expect(invalidSchema.status).toBe(400);
    expect(invalidSchema.body.errors[0].field).toBe('properties.x.type');
  });
});
