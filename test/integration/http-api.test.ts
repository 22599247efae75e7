import mongoose from 'mongoose';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app';
import { startWorker, type Stoppable } from '../../src/runtime';
import { createTestContext, type TestContext } from '../helpers/context';

describe('HTTP API through the real Express app', () => {
  let t: TestContext;
  let app: Express;
  beforeAll(async () => {
    t = await createTestContext('http');
    app = createApp(t.ctx);
  });
  afterAll(() => t.close());

  describe('authentication', () => {
    it('refuses /v1 without credentials, with a wrong token, and on unknown /v1 paths', async () => {
      const missing = await request(app).get('/v1/app-keys');
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({
        code: 401,
        key: 'unauthorized',
        request_id: missing.headers['x-request-id'],
      });

      const wrong = await request(app)
        .get('/v1/app-keys')
        .set({ 'X-App-Id': t.auth['X-App-Id'], 'X-App-Token': 'not-the-token' });
      expect(wrong.status).toBe(401);

      const unknownPath = await request(app).get('/v1/no-such-resource');
      expect(unknownPath.status).toBe(401);
    });

    it('reads no body before authentication: malformed or oversized JSON without a key is a 401', async () => {
      const malformed = await request(app)
        .post('/v1/customers')
        .set('Content-Type', 'application/json')
        .send('{"source_id": ');
      expect(malformed.status).toBe(401);
      const huge = await request(app)
        .post('/v1/customers')
        .send({ source_id: 'x'.repeat(200_000) });
      expect(huge.status).toBe(401);
      // With a key, the same body is parsed and refused as before.
      expect(
        (
          await request(app)
            .post('/v1/customers')
            .set(t.auth)
            .set('Content-Type', 'application/json')
            .send('{"source_id": ')
        ).status,
      ).toBe(400);
    });

    it('lets a key create another key, which then works and is listed without its token', async () => {
      const created = await request(app).post('/v1/app-keys').set(t.auth).send({ name: 'crm sync', role: 'admin' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ object: 'app_key', name: 'crm sync', role: 'admin' });
      const { id, token } = created.body as { id: string; token: string };

      const listed = await request(app).get('/v1/app-keys').set({ 'X-App-Id': id, 'X-App-Token': token });
      expect(listed.status).toBe(200);
      expect(listed.body.data.map((k: { id: string }) => k.id)).toContain(id);
      expect(JSON.stringify(listed.body)).not.toContain(token);
      expect(JSON.stringify(listed.body)).not.toContain('tokenHash');
    });

    it('revokes a key, after which it is refused; never the last admin key', async () => {
      const created = await request(app).post('/v1/app-keys').set(t.auth).send({ name: 'short-lived', role: 'admin' });
      const { id, token } = created.body as { id: string; token: string };
      expect((await request(app).delete(`/v1/app-keys/${id}`).set(t.auth)).status).toBe(204);
      expect((await request(app).get('/v1/app-keys').set({ 'X-App-Id': id, 'X-App-Token': token })).status).toBe(401);
      expect((await request(app).delete(`/v1/app-keys/${id}`).set(t.auth)).body).toMatchObject({
        code: 404,
        key: 'not_found',
        resource_id: id,
      });

      const others = await t.ctx.models.AppKey.find({
        _id: { $ne: t.auth['X-App-Id'] },
        revokedAt: { $exists: false },
      }).lean();
      for (const other of others) await request(app).delete(`/v1/app-keys/${other._id}`).set(t.auth);
      const last = await request(app).delete(`/v1/app-keys/${t.auth['X-App-Id']}`).set(t.auth);
      expect(last.status).toBe(409);
      expect(last.body.key).toBe('last_app_key');
    });
  });

  describe('bad input', () => {
    it('names the field and the reason for a wrong type, and writes nothing', async () => {
      const before = await t.ctx.models.AppKey.countDocuments();
      const res = await request(app).post('/v1/app-keys').set(t.auth).send({ name: 42 });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 400, key: 'invalid_payload', errors: [{ field: 'name' }] });
      expect(res.body.details).toMatch(/^name: .*string/i);
      expect(await t.ctx.models.AppKey.countDocuments()).toBe(before);
    });

    it('refuses a JSON key with a NUL character (the database cannot store it) with 400, writing nothing', async () => {
      const before = await t.ctx.models.Customer.countDocuments();
      const res = await request(app)
        .post('/v1/customers')
        .set(t.auth)
        .set('Content-Type', 'application/json')
        .send('{"source_id":"nul-key","metadata":{"a\\u0000b":1}}');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 400, key: 'invalid_json' });
      expect(res.body.details).toMatch(/NUL/);
      expect(await t.ctx.models.Customer.countDocuments()).toBe(before);
    });

    it('refuses unknown fields by name', async () => {
      const res = await request(app).post('/v1/app-keys').set(t.auth).send({ name: 'x', admin: true });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'admin', reason: expect.stringMatching(/unrecognized/i) }]);
    });

    it('answers malformed JSON with 400 and an oversized body with 413, in the error shape', async () => {
      const malformed = await request(app)
        .post('/v1/app-keys')
        .set(t.auth)
        .set('Content-Type', 'application/json')
        .send('{"name": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ code: 400, key: 'invalid_json' });

      const huge = await request(app)
        .post('/v1/app-keys')
        .set(t.auth)
        .send({ name: 'x'.repeat(200_000) });
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ code: 413, key: 'payload_too_large' });
    });

    it('answers unknown routes outside /v1 with a JSON 404', async () => {
      const res = await request(app).get('/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 404, key: 'not_found', request_id: res.headers['x-request-id'] });
    });
  });

  describe('request ids and logs', () => {
    it('puts a request id on every response and keeps a plain caller id', async () => {
      const generated = await request(app).get('/openapi.json');
      expect(generated.headers['x-request-id']).toMatch(/^v-[0-9a-f]{18}$/);
      const kept = await request(app).get('/openapi.json').set('X-Request-Id', 'trace-123');
      expect(kept.headers['x-request-id']).toBe('trace-123');
      for (const unfit of ['has spaces {and} braces', 'x'.repeat(65)]) {
        const replaced = await request(app).get('/openapi.json').set('X-Request-Id', unfit);
        expect(replaced.headers['x-request-id']).toMatch(/^v-/);
      }
    });

    it('never logs tokens, neither the caller’s nor a newly issued one', async () => {
      const created = await request(app).post('/v1/app-keys').set(t.auth).send({ name: 'log check' });
      await request(app).get('/v1/app-keys').set({ 'X-App-Id': 'x', 'X-App-Token': 'wrong-secret-value' });
      expect(t.logs.text).toContain('"path":"/v1/app-keys"');
      expect(t.logs.text).not.toContain(t.auth['X-App-Token']);
      expect(t.logs.text).not.toContain(created.body.token);
      expect(t.logs.text).not.toContain('wrong-secret-value');
    });
  });

  describe('security headers', () => {
    it('sends nosniff, framing limits and no referrer on every kind of response, HSTS only over HTTPS', async () => {
      const answers = [
        await request(app).get('/v1/customers').set(t.auth),
        await request(app).get('/v1/customers'),
        await request(app).get('/openapi.json'),
        await request(app).get('/nothing-here'),
        await request(app).get('/docs/'),
        await request(app).get('/public/unsubscribe'),
        await request(app).get('/health'),
      ];
      for (const res of answers) {
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['content-security-policy']).toMatch(/frame-ancestors '(self|none)'/);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['strict-transport-security']).toBeUndefined();
      }
      // Behind a TLS-terminating proxy the operator names in TRUST_PROXY, HSTS is sent.
      const proxied = createApp({ ...t.ctx, trustProxy: 'loopback' });
      const https = await request(proxied).get('/openapi.json').set('X-Forwarded-Proto', 'https');
      expect(https.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      // Without TRUST_PROXY the header is anyone's to send, so it counts for nothing.
      expect(
        (await request(app).get('/openapi.json').set('X-Forwarded-Proto', 'https')).headers[
          'strict-transport-security'
        ],
      ).toBeUndefined();
    });
  });

  describe('docs and metrics', () => {
    it('serves an OpenAPI document generated from the route schemas', async () => {
      const res = await request(app).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      const post = res.body.paths['/v1/app-keys'].post;
      expect(post.requestBody.content['application/json'].schema.properties.name.type).toBe('string');
      expect(post.security).toEqual([{ AppId: [], AppToken: [] }]);
      expect(post['x-required-role']).toBe('admin');
      expect(post.description).toMatch(/`admin` role/);
      expect(post.responses['403']).toBeDefined();
      expect(post.responses['429']).toBeDefined();
      expect(res.body.paths['/v1/app-keys/{id}'].delete.responses['409']).toBeDefined();
      expect(res.body.components.securitySchemes.AppToken).toMatchObject({ in: 'header', name: 'X-App-Token' });
    });

    it('serves a docs page', async () => {
      const res = await request(app).get('/docs/');
      expect(res.status).toBe(200);
      expect(res.text).toContain('swagger-ui');
    });

    it('exposes Prometheus metrics that count requests by route', async () => {
      await request(app).get('/v1/app-keys').set(t.auth);
      const res = await request(app).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/v1\/app-keys\/",status="200"\} \d+/);
      expect(res.text).toContain('process_cpu_seconds_total');
    });
  });

  describe('GET /health', () => {
    it('reports 503 with the database check failing when the database cannot be read or written, and says why', async () => {
      // A real connection to the test's database server, closed: every command on it fails, as on a dead store.
      const closed = mongoose.createConnection(process.env.TEST_MONGO_URL!, { dbName: `${t.ctx.db.name}_closed` });
      await closed.asPromise();
      await closed.close();
      const res = await request(createApp({ ...t.ctx, db: closed })).get('/health');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('degraded');
      expect(res.body.dependencies.database).toMatchObject({ ok: false, error: expect.any(String) });
      expect(res.body.dependencies.temporal.ok).toBe(true);
    });

    it('reports 503 with the worker check failing while no worker polls the task queue', async () => {
      const res = await request(app).get('/health');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('degraded');
      expect(res.body.dependencies.temporal.ok).toBe(true);
      expect(res.body.dependencies.database.ok).toBe(true);
      expect(res.body.dependencies.worker).toMatchObject({
        ok: false,
        error: expect.stringContaining(t.ctx.taskQueue),
      });
    });

    it('reports every dependency up, and a deep round trip, once a worker polls', async () => {
      let worker: Stoppable | undefined;
      try {
        worker = await startWorker(t.ctx, t.temporalAddress);
        const deadline = Date.now() + 20_000;
        let res = await request(app).get('/health?deep=true').set(t.auth);
        while (res.status !== 200 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          res = await request(app).get('/health?deep=true').set(t.auth);
        }
        expect(res.status).toBe(200);
        expect(res.body.dependencies).toMatchObject({
          temporal: { ok: true },
          database: { ok: true },
          worker: { ok: true, pollers: expect.any(Number) },
        });
        expect(res.body.roundTrip).toMatchObject({ ok: true, taskQueue: t.ctx.taskQueue });
      } finally {
        await worker?.stop();
      }
    });

    it('asks for a key before a deep check (it starts a workflow), not for the plain probe', async () => {
      const anonymous = await request(app).get('/health?deep=true');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.roundTrip).toBeUndefined();
      expect(
        (await request(app).get('/health?deep=true').set({ 'X-App-Id': t.auth['X-App-Id'], 'X-App-Token': 'wrong' }))
          .status,
      ).toBe(401);
      expect([200, 503]).toContain((await request(app).get('/health')).status);
      expect([200, 503]).toContain((await request(app).get('/health?deep=false')).status);
    });

    it('checks the database by writing and reading back a probe document, not by a ping alone', async () => {
      const before = Date.now();
      const res = await request(app).get('/health');
      expect(res.body.dependencies.database.ok).toBe(true);
      const probe = await t.ctx.db.collection<{ _id: string; at: Date }>('health_probes').findOne({ _id: 'probe' });
      expect(probe!.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    });

    it('refuses an invalid query value', async () => {
      const res = await request(app).get('/health?deep=maybe');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('query.deep');
    });
  });
});
