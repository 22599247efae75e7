import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { DistributionSettings } from '../../src/distributions/settings';
import { ROOT_DIR } from '../../src/config';
import { freePort } from '../../src/embedded/managed-process';
import { createApp } from '../../src/http/app';
import { startFakeSmtp, type FakeSmtp } from '../helpers/fake-smtp';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { hasSample, parseSamples, sampleSum, type Sample } from '../helpers/prometheus-text';
import { eventually } from '../helpers/sdk';
import { uniqueName } from '../helpers/context';
import { WorkerProcess } from '../helpers/worker-process';
import { startPlainDistribution } from '../helpers/plain-distribution';

/**
 * The engine's metrics as an operator scrapes them, after real sends through the worker to
 * a local webhook receiver, and the ids the log lines of that work carry.
 */
describe('engine metrics at /metrics, and ids in the logs', () => {
  const SECRET = 'metrics-test-webhook-secret-0123456789abcdef';
  let hook: FakeWebhook;
  let smtp: FakeSmtp;
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-metrics-'));
  // Filled before the harness's beforeAll reads it. A long grace period: sends start on send_now.
  const settings: Partial<DistributionSettings> = {
    webhookSecret: SECRET,
    gracePeriodSeconds: 3600,
    operatorEmail: 'ops@example.com',
  };
  beforeAll(async () => {
    hook = await startFakeWebhook(SECRET);
    smtp = await startFakeSmtp();
    settings.mail = { smtpUrl: smtp.url, from: 'promo@example.com', outboxDir };
  });
  afterAll(async () => {
    await hook?.close();
    await smtp?.close();
    fs.rmSync(outboxDir, { recursive: true, force: true });
  });
  const h = useServiceHarness('metrics', { settings });

  /**
   * A scrape of a fresh app on the same process: each app caches its database gauges for 10 s,
   * so a new one reads them now, while the engine's counters are the process's, whichever app serves them.
   */
  async function scrape(): Promise<Sample[]> {
    const res = await request(createApp(h.t.ctx)).get('/metrics');
    expect(res.status).toBe(200);
    return parseSamples(res.text);
  }

  async function api(method: 'get' | 'post', url: string, body?: unknown) {
    const req = request(h.app)[method](url).set(h.t.auth);
    return body === undefined ? req : req.send(body as object);
  }

  async function audience(name: string, n: number): Promise<string> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await h.sdk.createCustomer({ source_id: `${name}-${i}`, name: `C${i}` })).id);
    return (await h.sdk.client.segments.create({ name, type: 'static', customers: ids } as never)).id;
  }

  async function manual(name: string, segmentId: string, campaignId: string): Promise<string> {
    const res = await api('post', '/v1/distributions', {
      name,
      trigger: { type: 'manual' },
      purpose: { type: 'unique_code', campaign_id: campaignId },
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: false, required: [] },
      channels: [{ type: 'webhook', settings: { url: `${hook.url}/${name}` }, template: { text: '{{voucher.code}}' } }],
    });
    expect(res.status).toBe(200);
    return res.body.id as string;
  }

  const finalStatus = (id: string, status: string) =>
    eventually(
      async () => ((await h.t.ctx.models.Distribution.findById(id).lean())?.status === status ? true : undefined),
      60_000,
      `distribution ${id} ${status}`,
    );

  const codes = (name: string, count: number) =>
    createCampaign(h.sdk, {
      name,
      type: 'STATIC',
      vouchers_count: count,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
    });

  it('counts a manual send by channel and status, times each provider call, and reports distributions by status and the codes left in a pool an unfinished distribution uses', async () => {
    const campaign = await codes('Metrics codes', 5);
    const segmentId = await audience('metrics-aud', 3);
    const sending = await manual('metrics-send', segmentId, campaign.id);
    const waiting = await manual('metrics-wait', segmentId, campaign.id);

    const before = await scrape();
    expect(sampleSum(before, 'promo_campaign_codes_left', { campaign_id: campaign.id })).toBe(5);
    expect(sampleSum(before, 'promo_distributions', { trigger: 'manual' })).toBe(2);
    expect(sampleSum(before, 'promo_messages_total', { channel: 'webhook' })).toBe(0);

    expect((await api('post', `/v1/distributions/${sending}/send_now`)).status).toBe(200);
    await finalStatus(sending, 'completed');
    expect(hook.requests.filter((r) => r.path === '/hook/metrics-send')).toHaveLength(3);

    const after = await scrape();
    expect(sampleSum(after, 'promo_messages_total', { channel: 'webhook', status: 'sent' })).toBe(3);
    expect(sampleSum(after, 'promo_messages_total', { channel: 'webhook' })).toBe(3);
    // The webhook channel has no batch API: one timed call per message, all answered 200.
    expect(sampleSum(after, 'promo_provider_call_duration_seconds_count', { channel: 'webhook', outcome: 'ok' })).toBe(
      3,
    );
    expect(sampleSum(after, 'promo_provider_call_duration_seconds_sum', { channel: 'webhook' })).toBeGreaterThan(0);
    expect(sampleSum(after, 'promo_distributions', { status: 'completed', trigger: 'manual' })).toBe(1);
    expect(sampleSum(after, 'promo_distributions', { trigger: 'manual' })).toBe(2);
    // The finished one no longer counts for its pool; the one still waiting does, with 3 codes gone.
    expect(sampleSum(after, 'promo_campaign_codes_left', { campaign_id: campaign.id })).toBe(2);
    // The batch was counted in flight by the worker's activity interceptor, and out again.
    expect(hasSample(after, 'promo_batches_in_flight', { kind: 'batch' })).toBe(true);
    expect(sampleSum(after, 'promo_batches_in_flight', { kind: 'batch' })).toBe(0);
    await api('post', `/v1/distributions/${waiting}/cancel`);
  });

  it('counts messages skipped for an exhausted pool, and every line an activity logs carries its workflow and distribution ids', async () => {
    const campaign = await codes('Metrics scarce', 1);
    const segmentId = await audience('metrics-scarce', 2);
    const id = await manual('metrics-scarce', segmentId, campaign.id);
    const skippedBefore = sampleSum(await scrape(), 'promo_messages_total', { reason: 'pool_exhausted' });
    expect((await api('post', `/v1/distributions/${id}/send_now`)).status).toBe(200);
    await finalStatus(id, 'stopped');
    await eventually(async () => (smtp.messages.length > 0 ? true : undefined), 20_000, 'operator notice');

    const after = await scrape();
    expect(
      sampleSum(after, 'promo_messages_total', { channel: 'webhook', status: 'skipped', reason: 'pool_exhausted' }) -
        skippedBefore,
    ).toBe(1);

    const lines = h.t.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Logged by the operator-mail code, which is given neither id: they come from the activity's log context.
    const notice = lines.find((l) => l.msg === 'operator notified by email');
    expect(notice).toMatchObject({
      workflowId: `distribution-${id}`,
      distributionId: id,
      activity: expect.any(String),
    });
    for (const l of lines.filter((x) => x.msg === 'distribution stopped: campaign code pool exhausted'))
      expect(l).toMatchObject({ workflowId: `distribution-${id}`, distributionId: id });
  });

  it('counts each transient provider error as retrying, and the message failed in bulk once the retries ran out', async () => {
    const campaign = await codes('Metrics down', 1);
    const segmentId = await audience('metrics-down', 1);
    const id = await manual('metrics-down', segmentId, campaign.id);
    hook.respond((r) =>
      r.path === '/hook/metrics-down' ? { status: 503, headers: { 'Retry-After': '1' } } : undefined,
    );
    try {
      const before = await scrape();
      expect((await api('post', `/v1/distributions/${id}/send_now`)).status).toBe(200);
      await finalStatus(id, 'failed');
      const tries = hook.all.filter((r) => r.path === '/hook/metrics-down').length;
      expect(tries).toBeGreaterThan(1);
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>) =>
        sampleSum(after, name, labels) - sampleSum(before, name, labels);
      expect(delta('promo_messages_total', { channel: 'webhook', status: 'retrying', reason: 'transient_error' })).toBe(
        tries,
      );
      expect(delta('promo_messages_total', { status: 'failed', reason: 'retries_exhausted' })).toBe(1);
      expect(delta('promo_provider_call_duration_seconds_count', { channel: 'webhook', outcome: 'error' })).toBe(tries);
    } finally {
      hook.respond(undefined);
    }
  });

  /** An order_paid distribution sending a webhook to `/hook/<name>`. */
  async function onOrderPaid(name: string): Promise<string> {
    const created = await api('post', '/v1/distributions', {
      name,
      trigger: { type: 'order_paid' },
      purpose: { type: 'plain' },
      consents: { verification: false, required: [] },
      channels: [{ type: 'webhook', settings: { url: `${hook.url}/${name}` }, template: { text: 'Thanks' } }],
    });
    expect(created.status).toBe(200);
    return created.body.id as string;
  }

  const paidOrder = (sourceId: string) =>
    h.sdk.client.orders.create({
      source_id: sourceId,
      customer: { source_id: `${sourceId}-buyer` },
      amount: 100,
      status: 'PAID',
    } as never);

  const lagCount = (samples: Sample[], stage: string) => sampleSum(samples, 'promo_event_lag_seconds_count', { stage });

  /** A scrape once the distribution's message is recorded sent and its `delivered` lag observed, just after that write. */
  async function deliveredScrape(distributionId: string, before: Sample[]): Promise<Sample[]> {
    await eventually(
      async () =>
        (await h.t.ctx.models.DistributionMessage.exists({ distribution_id: distributionId, status: 'sent' })) ??
        undefined,
      30_000,
      `a message of ${distributionId} sent`,
    );
    return eventually(
      async () => {
        const s = await scrape();
        return lagCount(s, 'delivered') > lagCount(before, 'delivered') ? s : undefined;
      },
      10_000,
      'the delivered observation',
    );
  }

  it('observes the lag of an order event to its dispatch, its routing and the delivery of the message its inline delivery sent', async () => {
    const id = await onOrderPaid('metrics-paid');
    const before = await scrape();
    await paidOrder('metrics-order-1');
    const samples = await deliveredScrape(id, before);
    expect(lagCount(samples, 'delivered') - lagCount(before, 'delivered')).toBe(1);
    expect(lagCount(samples, 'dispatched')).toBeGreaterThanOrEqual(1);
    // Every event taken by the router is routed, later.
    expect(lagCount(samples, 'routed')).toBe(lagCount(samples, 'dispatched'));
    expect(sampleSum(samples, 'promo_event_lag_seconds_sum', { stage: 'routed' })).toBeGreaterThanOrEqual(
      sampleSum(samples, 'promo_event_lag_seconds_sum', { stage: 'dispatched' }),
    );
    expect(hasSample(samples, 'promo_batches_in_flight', { kind: 'routing' })).toBe(true);
    // Delivered inline: no delivery workflow ran for it.
    expect(hasSample(samples, 'promo_batches_in_flight', { kind: 'automatic' })).toBe(false);
    await api('post', `/v1/distributions/${id}/pause`);
  });

  it('observes an event delivered once, when the delivery workflow that retried its 503 sends the message', async () => {
    const id = await onOrderPaid('metrics-paid-retry');
    let calls = 0;
    hook.respond((r) =>
      r.path === '/hook/metrics-paid-retry' && calls++ === 0
        ? { status: 503, headers: { 'Retry-After': '1' } }
        : undefined,
    );
    try {
      const before = await scrape();
      await paidOrder('metrics-order-2');
      const samples = await deliveredScrape(id, before);
      expect(calls).toBeGreaterThanOrEqual(2);
      // Not observed by the inline attempt the 503 left to retry: one observation, by the workflow's attempt.
      expect(lagCount(samples, 'delivered') - lagCount(before, 'delivered')).toBe(1);
      expect(hasSample(samples, 'promo_batches_in_flight', { kind: 'automatic' })).toBe(true);
      expect(
        sampleSum(samples, 'promo_messages_total', { channel: 'webhook', status: 'retrying' }) -
          sampleSum(before, 'promo_messages_total', { channel: 'webhook', status: 'retrying' }),
      ).toBe(1);
    } finally {
      hook.respond(undefined);
      await api('post', `/v1/distributions/${id}/pause`);
    }
  });

  it('asks for the bearer token when METRICS_TOKEN is set, and is open without it (README)', async () => {
    const token = 'metrics-scrape-token-0123456789';
    const guarded = createApp(h.t.ctx, { metricsToken: token });
    const refused = await request(guarded).get('/metrics');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect(refused.body).toMatchObject({ key: 'metrics_token_required' });
    expect(refused.text).not.toContain('promo_');
    expect((await request(guarded).get('/metrics').set('Authorization', `Bearer ${token}x`)).status).toBe(401);
    const allowed = await request(guarded).get('/metrics').set('Authorization', `Bearer ${token}`);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('# TYPE promo_messages_total counter');
    // Without METRICS_TOKEN no credentials are asked for, not even an application key.
    expect((await request(h.app).get('/metrics')).status).toBe(200);
  });

  it('gives every line logged during an API request its request id, and echoes X-Request-Id', async () => {
    const res = await request(h.app)
      .post('/v1/sessions')
      .set('X-Request-Id', 'metrics-req-1')
      .send({ app_id: h.t.auth['X-App-Id'], app_token: h.t.auth['X-App-Token'] });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe('metrics-req-1');
    const lines = h.t.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    // Logged by the handler after the body was parsed (the parser resumes from a socket event).
    expect(lines.find((l) => l.msg === 'console session started')).toMatchObject({ requestId: 'metrics-req-1' });
    expect(lines.find((l) => l.msg === 'request' && l.requestId === 'metrics-req-1')).toMatchObject({ status: 201 });
  });

  it('a worker run as its own process serves its engine metrics on WORKER_METRICS_PORT and the Temporal SDK metrics on TEMPORAL_METRICS_PORT, with every temporal_ series the dashboard queries once a distribution ran on it', async () => {
    const [workerPort, temporalPort] = [await freePort(), await freePort()];
    // Its own task queue: it must not take this file's activities, whose log lines the tests read.
    const taskQueue = uniqueName('metrics-proc');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-metrics-worker-'));
    const worker = new WorkerProcess({
      dataDir,
      logFile: path.join(dataDir, 'worker.log'),
      mongoUrl: process.env.TEST_MONGO_URL!,
      mongoDb: h.t.ctx.db.name,
      temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
      taskQueue,
      env: {
        WEBHOOK_SIGNING_SECRET: SECRET,
        WORKER_METRICS_PORT: String(workerPort),
        TEMPORAL_METRICS_PORT: String(temporalPort),
        METRICS_TOKEN: 'worker-scrape-token-0123456789',
      },
    });
    worker.start();
    try {
      const scrapeText = (url: string, auth?: string) =>
        eventually(
          async () => {
            try {
              const res = await fetch(url, auth ? { headers: { authorization: auth } } : {});
              return { status: res.status, text: await res.text() };
            } catch {
              return undefined;
            }
          },
          60_000,
          `${url} answering\n${worker.logTail()}`,
        );
      const own = `http://127.0.0.1:${workerPort}/metrics`;
      expect((await scrapeText(own)).status).toBe(401);
      const engine = await scrapeText(own, 'Bearer worker-scrape-token-0123456789');
      expect(engine.status).toBe(200);
      expect(engine.text).toContain('# TYPE promo_messages_total counter');
      expect(engine.text).toContain('# TYPE promo_provider_call_duration_seconds histogram');
      expect(engine.text).toContain('process_cpu_user_seconds_total');
      // The database gauges are the API's alone.
      expect(engine.text).not.toContain('promo_campaign_codes_left');

      // A distribution run by this worker alone, so its SDK metrics show workflows and activities done,
      // and an activity failed: the webhook's first answer is a 503, so the batch is retried.
      let calls = 0;
      hook.respond((r) =>
        r.path === '/hook/metrics-proc' && calls++ === 0 ? { status: 503, headers: { 'Retry-After': '1' } } : undefined,
      );
      const id = await startPlainDistribution(h.t.ctx, {
        name: 'Worker process run',
        segmentId: await audience('metrics-proc', 2),
        url: `${hook.url}/metrics-proc`,
        text: 'Hello',
        taskQueue,
      });
      await finalStatus(id, 'completed').catch(async (err: Error) => {
        const d = await h.t.ctx.models.Distribution.findById(id).lean();
        throw new Error(`${err.message}: ${d?.status} ${d?.status_reason ?? ''}\n${worker.logTail()}`);
      });
      expect(hook.requests.filter((r) => r.path === '/hook/metrics-proc')).toHaveLength(2);
      const dashboard = fs.readFileSync(
        path.join(ROOT_DIR, 'docker', 'grafana', 'dashboards', 'promo-engine.json'),
        'utf8',
      );
      const queried = [...new Set([...dashboard.matchAll(/\btemporal_[a-z_]+\b/g)].map((m) => m[0]))].sort();
      expect(queried.length).toBeGreaterThan(3);
      // The SDK's core updates its series a moment after the work (the workflow completes after its last activity).
      let missing = queried;
      let seen: Sample[] = [];
      await eventually(
        async () => {
          const sdk = await scrapeText(`http://127.0.0.1:${temporalPort}/metrics`);
          expect(sdk.status).toBe(200);
          seen = parseSamples(sdk.text).filter((s) => s.name.startsWith('temporal_'));
          missing = queried.filter((n) => !seen.some((s) => s.name === n));
          return missing.length === 0 ? true : undefined;
        },
        20_000,
        'the series the dashboard queries',
      ).catch(() => undefined);
      // Each name the dashboard queries is one this worker serves after such a run.
      expect(missing).toEqual([]);
      expect(
        seen.some((s) => s.name === 'temporal_workflow_completed_total' && s.labels.task_queue === taskQueue),
      ).toBe(true);
    } finally {
      hook.respond(undefined);
      await worker.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
