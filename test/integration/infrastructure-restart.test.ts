import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { campaignInput } from '../../src/campaigns/campaign-input';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/embedded/managed-process';
import { startMongoServer, type MongoServer, type MongoServerOptions } from '../../src/embedded/mongo-server';
import {
  startTemporalDevServer,
  type TemporalDevServer,
  type TemporalDevServerOptions,
} from '../../src/embedded/temporal-dev-server';
import { newId } from '../../src/ids';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { distributionWorkflow } from '../../workflows/distribution';
import { createTestContext, type TestContext } from '../helpers/context';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { eventually } from '../helpers/sdk';
import { WorkerProcess } from '../helpers/worker-process';

/**
 * The Temporal dev server and then the database server are stopped and started again in
 * the middle of a distribution's fan-out. These are this file's own servers (the run's
 * shared ones serve other files), each on a data file so a restart keeps its state, as in
 * production. The run must complete with exactly one message and one code per customer.
 */
describe('a distribution survives restarts of the Temporal and database servers', () => {
  const CUSTOMERS = 600;
  const secret = 'whsec_infra_restart_0123456789abcdef0123';
  const config = loadConfig();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-infra-restart-'));
  const runDir = path.join(dir, 'run');
  let mongoOptions: MongoServerOptions;
  let temporalOptions: TemporalDevServerOptions;
  let mongo: MongoServer | undefined;
  let temporal: TemporalDevServer | undefined;
  let t: TestContext | undefined;
  let hook: FakeWebhook;
  let temporalDown = false;
  let worker: WorkerProcess;

  beforeAll(async () => {
    const [mongoPort, temporalPort] = [await freePort(), await freePort()];
    mongoOptions = {
      kind: config.EMBEDDED_MONGO,
      heap: config.EMBEDDED_MONGO_HEAP,
      toolsDir: config.TOOLS_DIR,
      port: mongoPort,
      runDir,
      dataDir: path.join(dir, 'data'),
    };
    temporalOptions = {
      toolsDir: config.TOOLS_DIR,
      port: temporalPort,
      namespace: config.TEMPORAL_NAMESPACE,
      runDir,
      dbFile: path.join(dir, 'data', 'temporal.db'),
    };
    [mongo, temporal] = await Promise.all([startMongoServer(mongoOptions), startTemporalDevServer(temporalOptions)]);

    // The test context reads its servers from the environment that global setup fills: point it at ours for this call only.
    const shared = { mongo: process.env.TEST_MONGO_URL, temporal: process.env.TEST_TEMPORAL_ADDRESS };
    process.env.TEST_MONGO_URL = mongo.url;
    process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
    try {
      t = await createTestContext('infra_restart');
    } finally {
      process.env.TEST_MONGO_URL = shared.mongo;
      process.env.TEST_TEMPORAL_ADDRESS = shared.temporal;
    }
    hook = await startFakeWebhook(secret);
    // Per-request latency stretches the run so both restarts land in the middle of it. While Temporal is down
    // the batches already running keep sending; answering them slowly then keeps a slow restart (CI) from
    // letting the whole audience through before the database's turn comes.
    hook.respond(() => ({ status: 200, delayMs: temporalDown ? 1_000 : 20 }));
    worker = new WorkerProcess({
      dataDir: path.join(dir, 'worker'),
      logFile: path.join(dir, 'worker.log'),
      mongoUrl: mongo.url,
      mongoDb: t.ctx.db.name,
      temporalAddress: temporal.address,
      taskQueue: t.ctx.taskQueue,
      env: { DISTRIBUTION_GRACE_PERIOD_SECONDS: '0', WEBHOOK_SIGNING_SECRET: secret },
    });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await hook?.close();
    await t?.close().catch(() => undefined);
    await temporal?.process.stop();
    await mongo?.process.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 90_000);

  /** A check that tolerates the database being away: `undefined` (try again) instead of a throw. */
  const tolerant =
    <T>(check: () => Promise<T | undefined>) =>
    async (): Promise<T | undefined> => {
      try {
        return await check();
      } catch {
        return undefined;
      }
    };

  it('completes with one sent message and one code per customer', async () => {
    const ctx = t!.ctx;
    const { models } = ctx;
    worker.start();
    const segmentId = newId('seg');
    const now = new Date();
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `cust_infra_${String(i).padStart(5, '0')}`);
    await models.Customer.insertMany(
      ids.map((_id, i) => ({
        _id,
        source_id_key: `infra-${i}`,
        segments: [segmentId],
        metadata: {},
        created_at: now,
        updated_at: now,
      })),
    );
    await models.Segment.create({
      _id: segmentId,
      name: 'Restart audience',
      type: 'static',
      customers: ids,
      sync_status: 'synced',
      size: CUSTOMERS,
      synced_at: now,
    });
    const campaign = await ctx.campaigns.create(
      campaignInput.parse({
        name: 'Restart pool',
        type: 'STATIC',
        vouchers_count: CUSTOMERS,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
      }),
    );
    await eventually(
      async () =>
        (await models.Campaign.findById(campaign._id).lean())?.vouchers_generation_status === 'DONE' ? true : undefined,
      90_000,
      'codes generated',
    );

    const id = newId('distr');
    await models.Distribution.create({
      _id: id,
      name: 'Restart blast',
      trigger: { type: 'manual' },
      purpose: { type: 'unique_code', campaign_id: campaign._id },
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: false, required: [] },
      channels: [{ type: 'webhook', settings: { url: hook.url }, template: { text: 'Your code {{voucher.code}}' } }],
      status: 'waiting_for_audience',
      grace_period_seconds: 0,
      metadata: {},
      version: 1,
    });
    const started = Date.now();
    await ctx.temporal.workflow.start(distributionWorkflow, {
      workflowId: distributionWorkflowId(id),
      taskQueue: ctx.taskQueue,
      args: [{ distributionId: id }],
    });

    // 1. Temporal goes away and comes back on the same port and history file.
    await hook.waitFor(Math.floor(CUSTOMERS * 0.2), 120_000);
    temporalDown = true;
    await temporal!.process.stop();
    const temporalStoppedAt = hook.requests.length;
    temporal = await startTemporalDevServer(temporalOptions);
    temporalDown = false;
    const afterTemporal = hook.requests.length;

    // 2. Then the database, once sending has resumed, on the same port and data file.
    await hook.waitFor(Math.max(afterTemporal, Math.floor(CUSTOMERS * 0.5)) + 50, 120_000);
    await mongo!.process.stop();
    const mongoStoppedAt = hook.requests.length;
    mongo = await startMongoServer(mongoOptions);

    const done = await eventually(
      tolerant(async () => {
        const d = await models.Distribution.findById(id).lean();
        return d?.status === 'completed' || d?.status === 'stopped' || d?.status === 'cancelled' ? d : undefined;
      }),
      240_000,
      'distribution finished',
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}; worker ${worker.running ? 'running' : `ended ${JSON.stringify(worker.exit)}`}, log:\n${worker.logTail()}`,
      );
    });
    expect(done.status).toBe('completed');
    console.log(
      `infrastructure restart: ${CUSTOMERS} customers, Temporal stopped after ${temporalStoppedAt} accepted requests, the database after ${mongoStoppedAt}; ` +
        `completed in ${Date.now() - started} ms; worker started ${worker.starts} time(s); duplicate Idempotency-Keys accepted by the receiver: ${hook.duplicates()}`,
    );
    // The worker rode out both outages without a restart.
    expect(worker.running).toBe(true);
    expect(worker.starts).toBe(1);

    const messages = await models.DistributionMessage.find({ distribution_id: id }).lean();
    expect(messages).toHaveLength(CUSTOMERS);
    expect(
      messages
        .filter((m) => m.status !== 'sent')
        .map((m) => `${m.customer_id}: ${m.status} ${m.reason ?? ''} ${m.error ?? ''}`),
    ).toEqual([]);
    expect(new Set(messages.map((m) => m.customer_id))).toEqual(new Set(ids));
    expect(new Set(messages.map((m) => m.voucher_code)).size).toBe(CUSTOMERS);
    expect(await models.Publication.countDocuments({ campaign_id: campaign._id })).toBe(CUSTOMERS);
    // Every customer reached the receiver; a repeat carries the same key (a send whose record the outage interrupted).
    const keys = new Set(hook.requests.map((r) => r.idempotencyKey));
    expect(keys).toEqual(new Set(messages.map((m) => m._id)));
    expect(hook.requests.length - keys.size).toBe(hook.duplicates());
  }, 480_000);
});
