import request from 'supertest';
import type { Express } from 'express';
import { FAILURES_PER_ADDRESS, FAILURES_PER_KEY } from '../../src/auth/failed-auth-throttle';
import { createApp } from '../../src/http/app';
import { createTestContext, type TestContext } from '../helpers/context';

type Auth = { 'X-App-Id': string; 'X-App-Token': string };
type Operation = { 'x-required-role'?: string };

describe('application key roles, revocation, throttling and access logs', () => {
  let t: TestContext;
  let app: Express;
  const keys = {} as Record<'read' | 'write' | 'admin', Auth>;

  beforeAll(async () => {
    t = await createTestContext('scopes');
    app = createApp(t.ctx);
    for (const role of ['read', 'write', 'admin'] as const) {
      const res = await request(app)
        .post('/v1/app-keys')
        .set(t.auth)
        .send({ name: `${role} key`, role });
      expect(res.status).toBe(201);
      expect(res.body.role).toBe(role);
      keys[role] = { 'X-App-Id': res.body.id, 'X-App-Token': res.body.token };
    }
  });
  afterAll(() => t.close());

  /** Every secured operation of the served OpenAPI, with its path parameters filled in. */
  async function operations(): Promise<Array<{ method: string; path: string; role: string }>> {
    const doc = (await request(app).get('/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        op['x-required-role'] ? [{ method, path: path.replace(/\{\w+\}/g, 'x'), role: op['x-required-role'] }] : [],
      ),
    );
  }

  it('declares a role on every /v1 operation of the OpenAPI, and admin on keys and channel changes', async () => {
    const doc = (await request(app).get('/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    const v1 = Object.entries(doc.paths).filter(([path]) => path.startsWith('/v1/'));
    expect(v1.length).toBeGreaterThan(50);
    // Console sign-in is the one /v1 operation that takes its key in the body: it needs none, and says so.
    const signIn = doc.paths['/v1/sessions']!.post!;
    expect(signIn['x-required-role']).toBeUndefined();
    for (const [path, ops] of v1) {
      for (const op of Object.values(ops))
        if (op !== signIn)
          expect([path, ['read', 'write', 'admin'].includes(op['x-required-role'] as string)]).toEqual([path, true]);
    }
    expect(doc.paths['/v1/sessions/current']!.delete!['x-required-role']).toBe('read');
    expect(doc.paths['/v1/app-keys']!.get!['x-required-role']).toBe('admin');
    expect(doc.paths['/v1/channels']!.post!['x-required-role']).toBe('admin');
    expect(doc.paths['/v1/channels/{id}/test']!.post!['x-required-role']).toBe('admin');
    expect(doc.paths['/v1/channels']!.get!['x-required-role']).toBe('read');
    expect(doc.paths['/v1/customers']!.post!['x-required-role']).toBe('write');
    expect(doc.paths['/v1/customers/importCSV']!.post!['x-required-role']).toBe('write');
    expect(doc.paths['/v1/validations']!.post!['x-required-role']).toBe('read');
  });

  it('enforces the declared role on every operation: a weaker key gets 403, an equal one is let past', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(80);
    for (const op of ops) {
      const weaker = op.role === 'admin' ? ['read', 'write'] : op.role === 'write' ? ['read'] : [];
      for (const role of weaker) {
        const res = await request(app)
          [op.method as 'get'](op.path)
          .set(keys[role as 'read']);
        expect({ op, role, status: res.status }).toEqual({ op, role, status: 403 });
        expect(res.body).toMatchObject({ code: 403, key: 'forbidden' });
      }
      // Only the read routes are called with their own role: writes would change data with made-up ids.
      if (op.role === 'read') {
        const res = await request(app)[op.method as 'get'](op.path).set(keys.read);
        expect({ op, status: res.status }).not.toEqual({ op, status: 403 });
      }
    }
  });

  it('changes nothing on a refused write', async () => {
    const before = await t.ctx.models.Customer.countDocuments();
    const res = await request(app).post('/v1/customers').set(keys.read).send({ source_id: 'refused-read' });
    expect(res.status).toBe(403);
    expect(res.body.details).toMatch(/write role/);
    const upload = await request(app)
      .post('/v1/customers/import')
      .set(keys.read)
      .set('Content-Type', 'application/json')
      .send([{ source_id: 'refused-import' }]);
    expect(upload.status).toBe(403);
    expect(await t.ctx.models.Customer.countDocuments()).toBe(before);
    expect(
      (await request(app).post('/v1/app-keys').set(keys.write).send({ name: 'escalate', role: 'admin' })).status,
    ).toBe(403);
    expect(await t.ctx.models.AppKey.countDocuments({ name: 'escalate' })).toBe(0);
  });

  it('lets a write key change business data and read channel accounts, and an admin key manage keys', async () => {
    expect((await request(app).post('/v1/customers').set(keys.write).send({ source_id: 'by-write' })).status).toBe(200);
    expect((await request(app).get('/v1/channels').set(keys.write)).status).toBe(200);
    expect((await request(app).get('/v1/customers').set(keys.read)).status).toBe(200);
    const made = await request(app).post('/v1/app-keys').set(keys.admin).send({ name: 'made by admin' });
    expect(made.body.role).toBe('read');
    expect((await request(app).delete(`/v1/app-keys/${made.body.id}`).set(keys.admin)).status).toBe(204);
  });

  it('lets two concurrent revocations of the last two admin keys remove one only', async () => {
    const c = await createTestContext('scopes-revoke');
    try {
      const revokeApp = createApp(c.ctx);
      const other = await request(revokeApp)
        .post('/v1/app-keys')
        .set(c.auth)
        .send({ name: 'second admin', role: 'admin' });
      const second: Auth = { 'X-App-Id': other.body.id, 'X-App-Token': other.body.token };
      const [a, b] = await Promise.all([
        request(revokeApp).delete(`/v1/app-keys/${second['X-App-Id']}`).set(c.auth),
        request(revokeApp).delete(`/v1/app-keys/${c.auth['X-App-Id']}`).set(second),
      ]);
      expect([a.status, b.status].sort()).toEqual([204, 409]);
      expect([a.body.key, b.body.key]).toContain('last_app_key');
      const live = await c.ctx.models.AppKey.find({ revokedAt: { $exists: false } }).lean();
      expect(live).toHaveLength(1);
      const survivor = live[0]!._id === c.auth['X-App-Id'] ? c.auth : second;
      expect((await request(revokeApp).get('/v1/app-keys').set(survivor)).status).toBe(200);
    } finally {
      await c.close();
    }
  });

  it('throttles wrong tokens per key id, then per client address, with 429 and Retry-After', async () => {
    // A fresh app has fresh counters, so the other tests' requests do not count here.
    const throttled = createApp(t.ctx);
    const wrong = (id: string) =>
      request(throttled).get('/v1/customers').set({ 'X-App-Id': id, 'X-App-Token': 'not-the-right-token' });
    for (let i = 0; i < FAILURES_PER_KEY; i++) expect((await wrong(keys.read['X-App-Id'])).status).toBe(401);
    const blocked = await request(throttled).get('/v1/customers').set(keys.read);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ code: 429, key: 'too_many_failed_authentications' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another key from the same address still works until the address itself is over its limit.
    expect((await request(throttled).get('/v1/customers').set(keys.write)).status).toBe(200);
    for (let i = FAILURES_PER_KEY; i < FAILURES_PER_ADDRESS; i++)
      expect((await wrong(`unknown-${i}`)).status).toBe(401);
    const address = await request(throttled).get('/v1/customers').set(keys.write);
    expect(address.status).toBe(429);
    expect(Number(address.headers['retry-after'])).toBeGreaterThan(0);
    // Missing credentials are not guesses: they are answered 401 and counted nowhere.
    expect((await request(createApp(t.ctx)).get('/v1/customers')).status).toBe(401);
  });

  it('logs the key id, the client address and the full route pattern, with voucher codes masked', async () => {
    const code = 'SECRETCODE-4242';
    await request(app).get(`/v1/vouchers/${code}`).set(keys.read);
    await request(app).delete('/v1/app-keys/no-such-key').set(keys.admin);
    await request(app)
      .get(`/v1/vouchers/${code}/balance`)
      .set({ 'X-App-Id': 'nobody', 'X-App-Token': 'wrong-token-value' });
    const lines = t.logs.text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
    expect(lines).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        route: '/v1/vouchers/:code',
        path: '/v1/vouchers/SE***',
        status: 404,
        keyId: keys.read['X-App-Id'],
        client: expect.stringMatching(/127\.0\.0\.1$/),
      }),
    );
    // A thrown error leaves the router before the line is written: the pattern is still the full one.
    expect(lines).toContainEqual(
      expect.objectContaining({
        method: 'DELETE',
        route: '/v1/app-keys/:id',
        path: '/v1/app-keys/no-such-key',
        status: 404,
        keyId: keys.admin['X-App-Id'],
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        path: '/v1/vouchers/SE***/balance',
        status: 401,
        keyId: null,
        claimedKeyId: 'nobody',
        route: null,
      }),
    );
    expect(t.logs.text).not.toContain(code);
  });
});
