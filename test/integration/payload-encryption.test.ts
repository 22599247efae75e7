import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { encryptingDataConverter } from '../../src/codec/data-converter';
import { ENCRYPTED_ENCODING } from '../../src/codec/encryption-codec';
import { HISTORY_FIXTURE_KEY } from '../helpers/history-fixture-key';
import { createApp } from '../../src/http/app';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { distributionWorkflow } from '../../workflows/distribution';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const History = temporal.api.history.v1.History;
type RawHistory = temporal.api.history.v1.IHistory;

/** Every payload of a history, except search attributes: those are indexed by the server, so they stay plain (and hold no secrets). */
function payloadsOf(node: unknown, out: Payload[] = []): Payload[] {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return out;
  if (Array.isArray(node)) {
    for (const item of node) payloadsOf(item, out);
    return out;
  }
  const record = node as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'encoding' in (record.metadata as object)) {
    out.push(record as Payload);
    return out;
  }
  // Search attributes must stay readable for the server; a patch marker (`patched()`) is written by the SDK's core,
  // past the codec, and holds only the patch's name. The byte check above still covers both.
  if (record.markerName === 'core_patch') return out;
  for (const [key, value] of Object.entries(record)) if (key !== 'searchAttributes') payloadsOf(value, out);
  return out;
}

const encodingOf = (p: Payload) => Buffer.from(p.metadata!.encoding!).toString();
/** The history as the server stores and serves it: its protobuf bytes, where any plaintext would show as-is. */
const bytesOf = (history: RawHistory) => Buffer.from(History.encode(History.fromObject(history)).finish());

describe('Temporal holds no plaintext: payload encryption', () => {
  const hookSecret = 'whsec_payload_test';
  let hook: FakeWebhook;
  const h = useServiceHarness('payload_enc', { settings: { gracePeriodSeconds: 600, webhookSecret: hookSecret } });
  beforeAll(async () => {
    hook = await startFakeWebhook(hookSecret);
  });
  afterAll(async () => {
    await hook?.close();
  });

  async function api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${h.sdk.url}${urlPath}`, {
      method,
      headers: { 'content-type': 'application/json', ...h.t.auth },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Histories of every workflow on the suite's task queue, read by a client that has no codec (as the server, its UI or `temporal workflow show` would). */
  async function rawHistories(mustInclude: string): Promise<Map<string, RawHistory>> {
    const plain = new Client({
      connection: h.t.ctx.temporal.connection,
      namespace: h.t.ctx.temporal.options.namespace,
    });
    const executions = await eventually(
      async () => {
        const found: Array<{ workflowId: string; runId: string }> = [];
        for await (const w of plain.workflow.list({ query: `TaskQueue = "${h.t.ctx.taskQueue}"` }))
          found.push({ workflowId: w.workflowId, runId: w.runId });
        return found.some((e) => e.workflowId === mustInclude) ? found : undefined;
      },
      30_000,
      `${mustInclude} listed`,
    );
    const histories = new Map<string, RawHistory>();
    for (const e of executions)
      histories.set(`${e.workflowId}/${e.runId}`, await plain.workflow.getHandle(e.workflowId, e.runId).fetchHistory());
    return histories;
  }

  it("keeps a distribution's webhook URL token and template text out of its history, through create, edit and send", async () => {
    const tag = randomBytes(4).toString('hex');
    const secrets = {
      firstToken: `tok-first-${tag}`,
      editedToken: `tok-edited-${tag}`,
      firstText: `FIRST-TEMPLATE-${tag}`,
      editedText: `EDITED-TEMPLATE-${tag}`,
    };
    const customer = await h.sdk.createCustomer({ source_id: `enc-${tag}`, name: 'Enc' });
    const segment = await h.sdk.client.segments.create({
      name: `Enc ${tag}`,
      type: 'static',
      customers: [customer.id],
    } as never);
    const channel = (token: string, text: string) => ({
      type: 'webhook',
      settings: { url: `${hook.url}/${tag}?token=${token}` },
      template: { text },
    });

    const created = await api('POST', '/v1/distributions', {
      name: `Encrypted ${tag}`,
      trigger: { type: 'manual' },
      purpose: { type: 'plain' },
      audience: { type: 'segment', segment_id: segment.id },
      consents: { verification: false },
      channels: [channel(secrets.firstToken, secrets.firstText)],
    });
    expect(created.status).toBe(200);
    const id: string = created.body.id;
    await eventually(
      async () => ((await api('GET', `/v1/distributions/${id}`)).body.status === 'scheduled' ? true : undefined),
      30_000,
      'scheduled',
    );
    const edited = await api('PUT', `/v1/distributions/${id}`, {
      channels: [channel(secrets.editedToken, secrets.editedText)],
    });
    expect(edited.status).toBe(200);
    expect((await api('POST', `/v1/distributions/${id}/send_now`)).status).toBe(200);
    await eventually(
      async () => ((await api('GET', `/v1/distributions/${id}`)).body.status === 'completed' ? true : undefined),
      60_000,
      'completed',
    );
    const received = hook.requests.filter((r) => r.path.startsWith(`/hook/${tag}`));
    expect(received.map((r) => [r.path, (r.body as { text: string }).text])).toEqual([
      [`/hook/${tag}?token=${secrets.editedToken}`, secrets.editedText],
    ]);

    const workflowId = distributionWorkflowId(id);
    const histories = await rawHistories(workflowId);
    for (const [execution, history] of histories) {
      const bytes = bytesOf(history);
      for (const secret of Object.values(secrets))
        expect({ execution, leaks: bytes.includes(secret) }).toEqual({ execution, leaks: false });
      expect(bytes.includes(tag)).toBe(false);
      for (const p of payloadsOf(history)) expect(encodingOf(p)).toBe(ENCRYPTED_ENCODING);
    }

    // With the codec the same history reads back: the edit update carries the new channel.
    const distributionHistory = [...histories].find(([k]) => k.startsWith(`${workflowId}/`))![1];
    const accepted = distributionHistory.events!.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)!
      .workflowExecutionUpdateAcceptedEventAttributes!;
    const [codec] = h.t.ctx.temporal.options.loadedDataConverter.payloadCodecs;
    const [edit] = (await codec!.decode(accepted.acceptedRequest!.input!.args!.payloads as Payload[])).map((p) =>
      defaultPayloadConverter.fromPayload<Json>(p),
    );
    expect(edit.channels).toEqual([expect.objectContaining(channel(secrets.editedToken, secrets.editedText))]);
    const decodedText = (await codec!.decode(payloadsOf(distributionHistory)))
      .map((p) => Buffer.from(p.data ?? []).toString())
      .join('\n');
    expect(decodedText).toContain(secrets.editedToken);
  });

  it('encrypts failure messages too, and its own client reads them back', async () => {
    const secret = `missing-${randomBytes(4).toString('hex')}`;
    const workflowId = `payload-enc-failure-${Date.now()}`;
    const handle = await h.t.ctx.temporal.workflow.start(distributionWorkflow, {
      workflowId,
      taskQueue: h.t.ctx.taskQueue,
      args: [{ distributionId: secret }],
    });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    const messages: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) messages.push(e.message);
    expect(messages).toContain(`distribution ${secret} not found`);
    const history = await new Client({ connection: h.t.ctx.temporal.connection }).workflow
      .getHandle(workflowId)
      .fetchHistory();
    expect(bytesOf(history).includes(secret)).toBe(false);
    const failures = history
      .events!.flatMap((e) => [
        e.activityTaskFailedEventAttributes?.failure,
        e.workflowExecutionFailedEventAttributes?.failure,
      ])
      .filter((f) => !!f);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures)
      expect({ message: f!.message, encrypted: encodingOf(f!.encodedAttributes!) }).toEqual({
        message: 'Encoded failure',
        encrypted: ENCRYPTED_ENCODING,
      });
  });

  it('the plaintext check can fail: an unencrypted payload in a history shows in its bytes', () => {
    const marker = `PLAIN-${randomBytes(4).toString('hex')}`;
    const history = History.fromObject({
      events: [
        {
          eventId: '1',
          workflowExecutionSignaledEventAttributes: {
            signalName: 's',
            input: { payloads: [defaultPayloadConverter.toPayload({ marker })!] },
          },
        },
      ],
    });
    expect(bytesOf(history).includes(marker)).toBe(true);
    expect(payloadsOf(history).map(encodingOf)).toEqual(['json/plain']);
  });

  describe('the codec endpoint for the Temporal UI and CLI', () => {
    const uiOrigin = 'http://127.0.0.1:8233';
    const sample = { url: 'https://hooks.example/x?token=codec-endpoint-token' };
    const asJson = (p: Payload) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p.data ?? []).toString('base64'),
    });
    const encrypted = async () =>
      asJson(
        (
          await h.t.ctx.temporal.options.loadedDataConverter.payloadCodecs[0]!.encode([
            defaultPayloadConverter.toPayload(sample)!,
          ])
        )[0]!,
      );
    const decodedValue = (p: { data: string }) => JSON.parse(Buffer.from(p.data, 'base64').toString());

    it('decodes with an application key, as headers or as a Bearer token', async () => {
      const body = { payloads: [await encrypted()] };
      const withHeaders = await request(createApp(h.t.ctx))
        .post('/codec/decode')
        .set(h.t.auth)
        .set('X-Namespace', 'default')
        .send(body);
      expect(withHeaders.status).toBe(200);
      expect(withHeaders.body.payloads).toHaveLength(1);
      expect(decodedValue(withHeaders.body.payloads[0])).toEqual(sample);
      expect(Buffer.from(withHeaders.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
      const bearer = `Bearer ${h.t.auth['X-App-Id']}:${h.t.auth['X-App-Token']}`;
      const withBearer = await request(createApp(h.t.ctx))
        .post('/codec/decode')
        .set('Authorization', bearer)
        .send(body);
      expect(withBearer.status).toBe(200);
      expect(decodedValue(withBearer.body.payloads[0])).toEqual(sample);
    });

    it('answers 401 without a key or with a wrong one, and decodes nothing', async () => {
      const body = { payloads: [await encrypted()] };
      const none = await request(createApp(h.t.ctx)).post('/codec/decode').send(body);
      expect(none.status).toBe(401);
      expect(JSON.stringify(none.body)).not.toContain('codec-endpoint-token');
      const wrong = await request(createApp(h.t.ctx))
        .post('/codec/decode')
        .set('Authorization', `Bearer ${h.t.auth['X-App-Id']}:not-the-token`)
        .send(body);
      expect(wrong.status).toBe(401);
      expect((await request(createApp(h.t.ctx)).post('/codec/encode').send(body)).status).toBe(401);
    });

    it('encodes what it decodes, and passes payloads from before the codec through', async () => {
      const plain = asJson(defaultPayloadConverter.toPayload(sample)!);
      const encoded = await request(createApp(h.t.ctx))
        .post('/codec/encode')
        .set(h.t.auth)
        .send({ payloads: [plain] });
      expect(encoded.status).toBe(200);
      expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(encoded.body.payloads[0].data, 'base64').toString('latin1')).not.toContain(
        'codec-endpoint-token',
      );
      const decoded = await request(createApp(h.t.ctx))
        .post('/codec/decode')
        .set(h.t.auth)
        .send({ payloads: [encoded.body.payloads[0], plain] });
      expect(decoded.body.payloads.map(decodedValue)).toEqual([sample, sample]);
    });

    it('answers 400 for a payload of another key and for a body that is not payloads', async () => {
      const [foreign] = await encryptingDataConverter(randomBytes(32)).payloadCodecs![0]!.encode([
        defaultPayloadConverter.toPayload(sample)!,
      ]);
      const res = await request(createApp(h.t.ctx))
        .post('/codec/decode')
        .set(h.t.auth)
        .send({ payloads: [asJson(foreign!)] });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        key: 'payload_undecodable',
        details: expect.stringContaining('PAYLOAD_ENCRYPTION_KEY'),
      });
      expect(
        (await request(createApp(h.t.ctx)).post('/codec/decode').set(h.t.auth).send({ payloads: 'x' })).status,
      ).toBe(400);
    });

    it("answers the Temporal UI's preflight for its origin only", async () => {
      const app = createApp(h.t.ctx, { codecCorsOrigins: [uiOrigin] });
      const preflight = await request(app)
        .options('/codec/decode')
        .set('Origin', uiOrigin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,x-namespace');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(uiOrigin);
      expect(preflight.headers['access-control-allow-headers']).toMatch(/X-Namespace/);
      expect(preflight.headers['access-control-allow-credentials']).toBe('true');
      const decoded = await request(app)
        .post('/codec/decode')
        .set('Origin', uiOrigin)
        .set(h.t.auth)
        .send({ payloads: [await encrypted()] });
      expect(decoded.headers['access-control-allow-origin']).toBe(uiOrigin);
      const other = await request(app)
        .options('/codec/decode')
        .set('Origin', 'http://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('is in the OpenAPI document with the key it needs', async () => {
      const doc = (await request(createApp(h.t.ctx)).get('/openapi.json')).body;
      expect(doc.paths['/codec/decode'].post.security).toEqual([{ AppId: [], AppToken: [] }]);
      expect(doc.paths['/codec/encode'].post).toBeDefined();
    });
  });
});

describe('replaying an encrypted history', () => {
  // Recorded from a real event-router window under this key (a test key, nothing else uses it),
  // in the same JSON form as event-router-window.json.
  const fixtureKey = HISTORY_FIXTURE_KEY;
  const load = async () =>
    History.fromObject(
      JSON.parse(
        await readFile(path.join(__dirname, '../fixtures/histories/event-router-window-encrypted.json'), 'utf8'),
      ) as Record<string, unknown>,
    );

  it('holds only encrypted payloads', async () => {
    const payloads = payloadsOf(await load());
    // Workflow input, the signal, an activity's input and result, the workflow's result.
    expect(payloads.length).toBeGreaterThanOrEqual(5);
    expect(new Set(payloads.map(encodingOf))).toEqual(new Set([ENCRYPTED_ENCODING]));
  });

  it('replays with the current code under its key', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: require.resolve('../../workflows'), dataConverter: encryptingDataConverter(fixtureKey) },
        await load(),
      ),
    ).resolves.toBeUndefined();
  });

  it('does not replay under another key', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: require.resolve('../../workflows'), dataConverter: encryptingDataConverter(randomBytes(32)) },
        await load(),
      ),
    ).rejects.toThrow();
  });
});
