import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { campaignInput } from '../../src/campaigns/campaign-input';
import { BATCH_SEND_SIZE } from '../../src/distributions/delivery';
import { newId } from '../../src/ids';
import type { DistributionChannel } from '../../src/models/distribution';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { distributionWorkflow } from '../../workflows/distribution';
import { createTestContext, type TestContext } from '../helpers/context';
import { openApiValidator, startFakeProvider, type FakeProvider } from '../helpers/fake-provider';
import { loadOpenApi } from '../helpers/openapi-validator';
import { eventually } from '../helpers/sdk';
import { workerProcessFor, type WorkerProcess } from '../helpers/worker-process';

/**
 * The worker process is SIGKILLed while SendGrid batch requests are in flight, then started
 * again. With the default (at_least_once) our records and codes stay exact and the resent
 * recipients stay under the bound (one request of BATCH_SEND_SIZE per batch in flight); with
 * at_most_once nobody is sent twice and those whose request may have gone out are `unknown`.
 */
describe('a worker killed during SendGrid batch sends', () => {
  const CUSTOMERS = 1_000;
  /** Batches a manual distribution delivers at once (workflows/distribution.ts). */
  const BATCHES_IN_FLIGHT = 4;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-batch-crash-'));
  let t: TestContext;
  let fake: FakeProvider;
  let worker: WorkerProcess;
  let channelId: string;

  beforeAll(async () => {
    t = await createTestContext('distr_bcrash');
    const spec = await loadOpenApi(
      path.resolve(__dirname, '../fixtures/provider-specs/sendgrid/sendgrid_mail_v3.openapi.json'),
    );
    const check = openApiValidator(spec);
    // A provider that takes a while to answer, so requests are in flight when the kill comes.
    fake = await startFakeProvider({ validate: check, defaultResponse: { status: 202, delayMs: 250 } });
    channelId = (
      await t.ctx.channelAccounts.create({
        type: 'sendgrid',
        name: 'SendGrid crash',
        credentials: { api_key: 'SG.crash-test-key' },
        settings: { from: 'promo@example.com' },
      })
    )._id;
    worker = workerProcessFor(t.ctx, dataDir, {
      DISTRIBUTION_GRACE_PERIOD_SECONDS: '0',
      PROVIDER_BASE_URLS: `sendgrid=${fake.url}`,
      CHANNEL_SECRETS_KEY: t.ctx.settings.channelSecretsKey.toString('hex'),
    });
  });
  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await fake?.close();
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Message ids in the SendGrid requests received since `since`, one entry per recipient per request. */
  const requested = (since: number) =>
    fake.requests
      .slice(since)
      .filter((r) => r.path === '/v3/mail/send')
      .flatMap((r) =>
        (r.body as { personalizations: Array<{ custom_args: { message_id: string } }> }).personalizations.map(
          (p) => p.custom_args.message_id,
        ),
      );

  async function crashedRun(delivery: DistributionChannel['delivery']) {
    const { models } = t.ctx;
    const segmentId = newId('seg');
    const tag = segmentId.slice(4, 12);
    const now = new Date();
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `cust_${tag}_${String(i).padStart(5, '0')}`);
    await models.Customer.insertMany(
      ids.map((_id, i) => ({
        _id,
        source_id_key: `${tag}-${i}`,
        email: `c${i}.${tag}@example.com`,
        segments: [segmentId],
        metadata: {},
        created_at: now,
        updated_at: now,
      })),
    );
    await models.Segment.create({
      _id: segmentId,
      name: tag,
      type: 'static',
      customers: ids,
      sync_status: 'synced',
      size: CUSTOMERS,
      synced_at: now,
    });
    worker.start();
    const campaign = await t.ctx.campaigns.create(
      campaignInput.parse({
        name: `Batch crash ${tag}`,
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
      name: `Batch crash ${delivery ?? 'default'}`,
      trigger: { type: 'manual' },
      purpose: { type: 'unique_code', campaign_id: campaign._id },
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: false, required: [] },
      channels: [
        {
          type: 'sendgrid',
          channel_id: channelId,
          settings: {},
          template: { subject: 'Your code', text: 'Code {{voucher.code}}' },
          ...(delivery ? { delivery } : {}),
        },
      ],
      status: 'waiting_for_audience',
      grace_period_seconds: 0,
      metadata: {},
      version: 1,
    });
    const since = fake.requests.length;
    await t.ctx.temporal.workflow.start(distributionWorkflow, {
      workflowId: distributionWorkflowId(id),
      taskQueue: t.ctx.taskQueue,
      args: [{ distributionId: id }],
    });
    // Kill while the second wave of requests is held by the provider.
    await eventually(
      async () => (requested(since).length >= CUSTOMERS * 0.3 ? true : undefined),
      180_000,
      'sends under way',
    );
    await worker.stop('SIGKILL');
    const atKill = requested(since).length;
    worker.start();
    const done = await eventually(
      async () => {
        const d = await models.Distribution.findById(id).lean();
        return d && ['completed', 'failed', 'stopped', 'cancelled'].includes(d.status) ? d : undefined;
      },
      300_000,
      'distribution ended',
    );
    await worker.stop('SIGTERM');
    const all = requested(since);
    const messages = await models.DistributionMessage.find({ distribution_id: id }).lean();
    return { done, all, atKill, messages, ids, campaignId: campaign._id };
  }

  it('at_least_once (default): exact records and codes, resends bounded by one request per batch in flight', async () => {
    const { done, all, atKill, messages, ids, campaignId } = await crashedRun(undefined);
    const resent = all.length - new Set(all).size;
    console.log(
      `batch crash, at_least_once: ${CUSTOMERS} recipients, killed after ${atKill} requested; ${resent} recipients sent twice (bound ${BATCHES_IN_FLIGHT * BATCH_SEND_SIZE})`,
    );
    expect(done.status).toBe('completed');
    expect(messages).toHaveLength(CUSTOMERS);
    expect(messages.every((m) => m.status === 'sent')).toBe(true);
    expect(new Set(messages.map((m) => m.customer_id))).toEqual(new Set(ids));
    expect(new Set(messages.map((m) => m.voucher_code)).size).toBe(CUSTOMERS);
    expect(await t.ctx.models.Publication.countDocuments({ campaign_id: campaignId })).toBe(CUSTOMERS);
    expect(new Set(all).size).toBe(CUSTOMERS);
    expect(resent).toBeLessThanOrEqual(BATCHES_IN_FLIGHT * BATCH_SEND_SIZE);
  }, 600_000);

  it('at_most_once: nobody is sent twice; those whose request may have gone out are unknown, in the report', async () => {
    const { done, all, atKill, messages, campaignId } = await crashedRun('at_most_once');
    const unknown = messages.filter((m) => m.status === 'unknown');
    console.log(
      `batch crash, at_most_once: ${CUSTOMERS} recipients, killed after ${atKill} requested; ${all.length - new Set(all).size} sent twice, ${unknown.length} unknown`,
    );
    expect(done.status).toBe('completed');
    expect(all.length).toBe(new Set(all).size);
    expect(messages).toHaveLength(CUSTOMERS);
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.length).toBeLessThanOrEqual(BATCHES_IN_FLIGHT * BATCH_SEND_SIZE);
    expect(messages.filter((m) => m.status === 'sent').length + unknown.length).toBe(CUSTOMERS);
    // Codes stay exact: each unknown one keeps the code it was published.
    expect(new Set(messages.map((m) => m.voucher_code)).size).toBe(CUSTOMERS);
    expect(await t.ctx.models.Publication.countDocuments({ campaign_id: campaignId })).toBe(CUSTOMERS);
    const report = await (await import('../../src/distributions/distribution-report')).distributionReport(
      t.ctx.models,
      done,
    );
    expect(report.totals).toMatchObject({ sent: CUSTOMERS - unknown.length, unknown: unknown.length });
  }, 600_000);
});
