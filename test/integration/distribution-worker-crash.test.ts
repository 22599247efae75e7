import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { campaignInput } from '../../src/campaigns/campaign-input';
import { ROOT_DIR } from '../../src/config';
import { newId } from '../../src/ids';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { distributionWorkflow } from '../../workflows/distribution';
import { deploymentSecrets } from '../helpers/deployment-secrets';
import { createTestContext, type TestContext } from '../helpers/context';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { eventually } from '../helpers/sdk';

/**
 * The worker is a separate process, SIGKILLed in the middle of a distribution's fan-out and
 * started again. Every customer must end with exactly one `sent` message and one code; the
 * receiver may see a message twice only with the same Idempotency-Key (a kill between the
 * provider's 200 and the record write), which it can drop.
 */
describe('a worker killed mid fan-out delivers every message exactly once on record', () => {
  const CUSTOMERS = 1200;
  const secret = 'whsec_crash_test_0123456789abcdef0123';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-distr-crash-'));
  const logFile = path.join(dataDir, 'worker.log');
  let t: TestContext;
  let hook: FakeWebhook;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    t = await createTestContext('distr_crash');
    hook = await startFakeWebhook(secret);
    // A little latency per request keeps the fan-out running long enough to be killed halfway.
    hook.respond(() => ({ status: 200, delayMs: 15 }));
  });
  afterAll(async () => {
    await stopWorker('SIGTERM');
    await hook?.close();
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function startWorker(): void {
    const log = fs.openSync(logFile, 'a');
    child = spawn(process.execPath, ['--import', 'tsx', 'src/entry/worker.ts'], {
      cwd: ROOT_DIR,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        MONGO_URL: process.env.TEST_MONGO_URL,
        MONGO_DB: t.ctx.db.name,
        TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
        TEMPORAL_TASK_QUEUE: t.ctx.taskQueue,
        DISTRIBUTION_GRACE_PERIOD_SECONDS: '0',
        LOG_LEVEL: 'warn',
        ...deploymentSecrets({ WEBHOOK_SIGNING_SECRET: secret }),
      },
      stdio: ['ignore', log, log],
    });
  }

  async function stopWorker(signal: NodeJS.Signals): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }

  it('resumes after SIGKILL with one sent message and one publication per customer', async () => {
    startWorker();
    const { models } = t.ctx;
    const segmentId = newId('seg');
    const now = new Date();
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `cust_crash_${String(i).padStart(5, '0')}`);
    await models.Customer.insertMany(
      ids.map((_id, i) => ({
        _id,
        source_id_key: `crash-${i}`,
        segments: [segmentId],
        metadata: {},
        created_at: now,
        updated_at: now,
      })),
    );
    await models.Segment.create({
      _id: segmentId,
      name: 'Crash audience',
      type: 'static',
      customers: ids,
      sync_status: 'synced',
      size: CUSTOMERS,
      synced_at: now,
    });
    const campaign = await t.ctx.campaigns.create(
      campaignInput.parse({
        name: 'Crash pool',
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
      name: 'Crash blast',
      trigger: { type: 'manual' },
      purpose: { type: 'unique_code', campaign_id: campaign._id },
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: false, required: [] },
      channels: [{ type: 'webhook', settings: { url: hook.url }, template: { text: 'Your code' } }],
      status: 'waiting_for_audience',
      grace_period_seconds: 0,
      metadata: {},
      version: 1,
    });
    const started = Date.now();
    await t.ctx.temporal.workflow.start(distributionWorkflow, {
      workflowId: distributionWorkflowId(id),
      taskQueue: t.ctx.taskQueue,
      args: [{ distributionId: id }],
    });

    await hook.waitFor(Math.floor(CUSTOMERS * 0.3), 180_000);
    await stopWorker('SIGKILL');
    const atKill = hook.requests.length;
    expect(atKill).toBeLessThan(CUSTOMERS);
    startWorker();

    await eventually(
      async () => ((await models.Distribution.findById(id).lean())?.status === 'completed' ? true : undefined),
      300_000,
      'distribution completed',
    );
    console.log(
      `crash test: ${CUSTOMERS} customers, killed after ${atKill} accepted requests, completed in ${Date.now() - started} ms; duplicate Idempotency-Keys accepted by the receiver: ${hook.duplicates()}`,
    );

    const messages = await models.DistributionMessage.find({ distribution_id: id }).lean();
    expect(messages).toHaveLength(CUSTOMERS);
    expect(messages.every((m) => m.status === 'sent')).toBe(true);
    expect(new Set(messages.map((m) => m.customer_id))).toEqual(new Set(ids));
    expect(new Set(messages.map((m) => m.voucher_code)).size).toBe(CUSTOMERS);
    expect(await models.Publication.countDocuments({ campaign_id: campaign._id })).toBe(CUSTOMERS);

    // Every customer reached the receiver; a repeat (possible only for messages in flight at the kill) carries the same key.
    const keys = new Set(hook.requests.map((r) => r.idempotencyKey));
    expect(keys.size).toBe(CUSTOMERS);
    expect(hook.requests.length - keys.size).toBe(hook.duplicates());
    // At most what was in flight when the worker died: 4 batches × 8 customers.
    expect(hook.duplicates()).toBeLessThanOrEqual(32);
  }, 600_000);
});
