import request from 'supertest';
import { createApp } from '../../src/http/app';
import { hashToken } from '../../src/auth/app-keys';
import { createTestContext, type TestContext } from '../helpers/context';
import type { Express } from 'express';

/** The `promo_session=…` pair of a Set-Cookie answer, to send back as a Cookie header. */
function sessionCookie(res: request.Response): { header: string; token: string; attributes: string } {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('promo_session='));
  if (!set) throw new Error('no promo_session cookie was set');
  const [pair, ...attributes] = set.split(';');
  return { header: pair!, token: pair!.split('=')[1]!, attributes: attributes.join(';') };
}

describe('console sessions: an application key exchanged for a cookie', () => {
  let t: TestContext;
  let app: Express;
  beforeAll(async () => {
    t = await createTestContext('sessions');
    app = createApp(t.ctx);
  });
  afterAll(() => t.close());

  const signIn = () =>
    request(app).post('/v1/sessions').send({ app_id: t.auth['X-App-Id'], app_token: t.auth['X-App-Token'] });

  it('refuses a wrong token with 401, sets no cookie and logs no token', async () => {
    const res = await request(app).post('/v1/sessions').send({ app_id: t.auth['X-App-Id'], app_token: 'wrong-token' });
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await t.ctx.models.Session.countDocuments()).toBe(0);
    expect(t.logs.text).not.toContain('wrong-token');
  });

  it('refuses a malformed body with 400 naming the field', async () => {
    const res = await request(app).post('/v1/sessions').send({ app_id: t.auth['X-App-Id'] });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'app_token' })]));
  });

  it('sets an HttpOnly, SameSite=Strict cookie with an expiry, stores only its hash, and the cookie authenticates /v1', async () => {
    const res = await signIn();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'session', app_key: { id: t.auth['X-App-Id'], role: 'admin' } });
    expect(JSON.stringify(res.body)).not.toContain(t.auth['X-App-Token']);
    const cookie = sessionCookie(res);
    expect(cookie.attributes).toMatch(/HttpOnly/i);
    expect(cookie.attributes).toMatch(/SameSite=Strict/i);
    expect(cookie.attributes).toMatch(/Expires=/i);
    expect(cookie.attributes).not.toMatch(/Secure/i);
    const expiresIn = new Date(res.body.expires_at).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(8 * 3600_000);

    const stored = await t.ctx.models.Session.findOne({ appKeyId: t.auth['X-App-Id'] }).lean();
    expect(stored?._id).toBe(hashToken(cookie.token));
    expect(JSON.stringify(stored)).not.toContain(cookie.token);

    const current = await request(app).get('/v1/sessions/current').set('Cookie', cookie.header);
    expect(current.status).toBe(200);
    expect(current.body.app_key).toEqual({ id: t.auth['X-App-Id'], role: 'admin' });
    expect((await request(app).get('/v1/distributions').set('Cookie', cookie.header)).status).toBe(200);
  });

  it('marks the cookie Secure behind an HTTPS proxy it trusts, and not for a forwarded header it does not', async () => {
    expect(sessionCookie(await signIn().set('X-Forwarded-Proto', 'https')).attributes).not.toMatch(/Secure/);
    const proxied = createApp({ ...t.ctx, trustProxy: 'loopback' });
    const res = await request(proxied)
      .post('/v1/sessions')
      .set('X-Forwarded-Proto', 'https')
      .send({ app_id: t.auth['X-App-Id'], app_token: t.auth['X-App-Token'] });
    expect(sessionCookie(res).attributes).toMatch(/Secure/);
  });

  it('refuses a state-changing cookie request without X-Requested-With (CSRF) and changes nothing', async () => {
    const { header } = sessionCookie(await signIn());
    const body = { source_id: 'csrf', name: 'Forged' };
    const forged = await request(app).post('/v1/customers').set('Cookie', header).send(body);
    expect(forged.status).toBe(403);
    expect(forged.body.key).toBe('csrf_header_missing');
    expect(await t.ctx.models.Customer.countDocuments({ source_id: 'csrf' })).toBe(0);
    const allowed = await request(app)
      .post('/v1/customers')
      .set('Cookie', header)
      .set('X-Requested-With', 'promo-console')
      .send(body);
    expect(allowed.status).toBe(200);
  });

  it('refuses an unknown or expired session cookie with 401', async () => {
    expect((await request(app).get('/v1/distributions').set('Cookie', 'promo_session=not-a-session')).status).toBe(401);
    const { header, token } = sessionCookie(await signIn());
    await t.ctx.models.Session.updateOne(
      { _id: hashToken(token) },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );
    const res = await request(app).get('/v1/sessions/current').set('Cookie', header);
    expect(res.status).toBe(401);
  });

  it('ends the session on sign-out: the cookie is cleared and no longer authenticates', async () => {
    const { header, token } = sessionCookie(await signIn());
    expect((await request(app).delete('/v1/sessions/current').set('Cookie', header)).status).toBe(403);
    const out = await request(app)
      .delete('/v1/sessions/current')
      .set('Cookie', header)
      .set('X-Requested-With', 'promo-console');
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/promo_session=;.*Expires=Thu, 01 Jan 1970/);
    expect(await t.ctx.models.Session.exists({ _id: hashToken(token) })).toBeNull();
    expect((await request(app).get('/v1/distributions').set('Cookie', header)).status).toBe(401);
  });

  it('lets a session use the payload codec without the CSRF header (its POSTs change nothing), but not the API', async () => {
    const { header } = sessionCookie(await signIn());
    const plain = {
      metadata: { encoding: Buffer.from('json/plain').toString('base64') },
      data: Buffer.from('"https://hooks.example/t0ken"').toString('base64'),
    };
    const encoded = await request(app)
      .post('/codec/encode')
      .set('Cookie', header)
      .send({ payloads: [plain] });
    expect(encoded.status).toBe(200);
    expect(JSON.stringify(encoded.body)).not.toContain(plain.data);
    const decoded = await request(app).post('/codec/decode').set('Cookie', header).send(encoded.body);
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads[0].data).toBe(plain.data);
    expect((await request(app).post('/v1/customers').set('Cookie', header).send({ source_id: 'no-csrf' })).status).toBe(
      403,
    );
  });

  it('ends every session of a revoked key', async () => {
    const { appId, appToken } = await import('../../src/auth/app-keys').then((m) =>
      m.createAppKey(t.ctx.models.AppKey, 'to revoke', 'write'),
    );
    const res = await request(app).post('/v1/sessions').send({ app_id: appId, app_token: appToken });
    const { header } = sessionCookie(res);
    expect((await request(app).get('/v1/sessions/current').set('Cookie', header)).status).toBe(200);
    await request(app).delete(`/v1/app-keys/${appId}`).set(t.auth).expect(204);
    expect((await request(app).get('/v1/sessions/current').set('Cookie', header)).status).toBe(401);
  });

  it('answers 404 for /v1/sessions/current when authenticated by key headers', async () => {
    const res = await request(app).get('/v1/sessions/current').set(t.auth);
    expect(res.status).toBe(404);
    expect(res.body.key).toBe('no_session');
  });

  it('documents the session routes in the OpenAPI', async () => {
    const doc = (await request(app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    expect(doc.paths['/v1/sessions']?.post).toBeDefined();
    expect(doc.paths['/v1/sessions']?.post?.security).toBeUndefined();
    expect(doc.paths['/v1/sessions/current']?.get?.security).toBeDefined();
    expect(doc.paths['/v1/sessions/current']?.delete).toBeDefined();
  });
});
