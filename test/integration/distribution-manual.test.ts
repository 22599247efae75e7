import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { DistributionSettings } from '../../src/distributions/settings';
import { deliverToCustomers } from '../../src/distributions/delivery';
import { newId } from '../../src/ids';
import type { DistributionChannel, DistributionDoc } from '../../src/models/distribution';
import type { CustomerDoc } from '../../src/models/customer';
import { DistributionStatusKey } from '../../workflows/contracts/search-attributes';
import {
  cancelSignal,
  distributionWorkflowId,
  editUpdate,
  progressQuery,
  sendNowSignal,
  type DistributionWorkflowInput,
} from '../../workflows/contracts/distribution';
import { distributionWorkflow } from '../../workflows/distribution';
import { startFakeSmtp, type FakeSmtp } from '../helpers/fake-smtp';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

describe('manual distributions: grace period, fan-out, consents, codes and retries', () => {
  const webhookSecret = 'whsec_manual_test';
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-distr-'));
  let smtp: FakeSmtp;
  let hook: FakeWebhook;
  // Filled before the harness's beforeAll reads it (settings are read when the harness starts).
  const settings: Partial<DistributionSettings> = {
    gracePeriodSeconds: 1,
    operatorEmail: 'ops@example.com',
    webhookSecret,
  };
  beforeAll(async () => {
    smtp = await startFakeSmtp();
    hook = await startFakeWebhook(webhookSecret);
    settings.mail = { smtpUrl: smtp.url, from: 'promo@example.com', outboxDir };
  });
  afterAll(async () => {
    await hook?.close();
    await smtp?.close();
    fs.rmSync(outboxDir, { recursive: true, force: true });
  });
  const h = useServiceHarness('distr_manual', { settings });

  const models = () => h.t.ctx.models;

  /** `n` customers in a synced static segment; `shape(i)` adds fields to customer i. */
  async function audience(
    n: number,
    shape: (i: number) => Partial<CustomerDoc> = () => ({}),
  ): Promise<{ segmentId: string; ids: string[] }> {
    const segmentId = newId('seg');
    const tag = newId('c').slice(2, 10);
    const now = new Date();
    const docs = Array.from({ length: n }, (_, i) => ({
      _id: `cust_${tag}_${String(i).padStart(5, '0')}`,
      source_id_key: `${tag}-${i}`,
      source_id: `${tag}-${i}`,
      name: `Customer ${i}`,
      segments: [segmentId],
      metadata: {},
      created_at: now,
      updated_at: now,
      ...shape(i),
    }));
    await models().Customer.insertMany(docs);
    await models().Segment.create({
      _id: segmentId,
      name: `Static ${tag}`,
      type: 'static',
      customers: docs.map((d) => d._id),
      sync_status: 'synced',
      size: n,
      synced_at: now,
    });
    return { segmentId, ids: docs.map((d) => d._id) };
  }

  const webhook = (pathSuffix: string, text = 'Hello {{customer.name}}'): DistributionChannel => ({
    type: 'webhook',
    settings: { url: `${hook.url}/${pathSuffix}` },
    template: { text },
  });
  const email = (subject = 'Your code'): DistributionChannel => ({
    type: 'email',
    settings: {},
    template: { subject, html: '<p>Hi</p>', text: 'Hi' },
  });

  const firstRuns = new Map<string, string>();
  async function distribution(
    over: Partial<DistributionDoc> & Pick<DistributionDoc, 'audience' | 'channels'>,
    input: Partial<DistributionWorkflowInput> = {},
  ): Promise<string> {
    const _id = newId('distr');
    await models().Distribution.create({
      _id,
      name: `Manual ${_id}`,
      trigger: { type: 'manual' },
      purpose: { type: 'plain' },
      consents: { verification: false, required: [] },
      status: 'waiting_for_audience',
      metadata: {},
      version: 1,
      ...over,
    });
    const started = await h.t.ctx.temporal.workflow.start(distributionWorkflow, {
      workflowId: distributionWorkflowId(_id),
      taskQueue: h.t.ctx.taskQueue,
      args: [{ ...input, distributionId: _id }],
    });
    firstRuns.set(_id, started.firstExecutionRunId);
    return _id;
  }

  const handle = (id: string) => h.t.ctx.temporal.workflow.getHandle(distributionWorkflowId(id));
  const statusOf = async (id: string) => (await models().Distribution.findById(id).lean())!;
  const reaches = (id: string, status: string, timeoutMs = 60_000) =>
    eventually(
      async () => {
        const d = await statusOf(id);
        return d.status === status ? d : undefined;
      },
      timeoutMs,
      `distribution ${id} ${status}`,
    );
  const messages = (id: string) => models().DistributionMessage.find({ distribution_id: id }).lean();
  const hooksAt = (suffix: string) => hook.requests.filter((r) => r.path === `/hook/${suffix}`);

  it('delivers one webhook per customer of a 2,000-customer segment, emails those with an address, and publishes one code each', async () => {
    const { segmentId } = await audience(2000, (i) => (i % 20 === 0 ? { email: `c${i}@example.com` } : {}));
    const campaign = await createCampaign(h.sdk, {
      name: 'Big pool',
      type: 'STATIC',
      vouchers_count: 2000,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
    });
    const suffix = newId('big');
    const mailsBefore = smtp.messages.length;
    const started = Date.now();
    const id = await distribution({
      audience: { type: 'segment', segment_id: segmentId },
      purpose: { type: 'unique_code', campaign_id: campaign.id },
      channels: [webhook(suffix), email()],
      grace_period_seconds: 0,
    });
    const done = await reaches(id, 'completed', 600_000);
    console.log(
      `manual distribution to 2,000 customers (webhook + email for 100) completed in ${Date.now() - started} ms`,
    );

    expect(done.recipients_count).toBe(2000);
    expect(done.started_at).toBeDefined();
    expect(done.completed_at).toBeDefined();
    const all = await messages(id);
    const hooks = all.filter((m) => m.channel_index === 0);
    const mails = all.filter((m) => m.channel_index === 1);
    expect(hooks).toHaveLength(2000);
    expect(hooks.every((m) => m.status === 'sent')).toBe(true);
    expect(new Set(hooks.map((m) => m.customer_id)).size).toBe(2000);
    expect(mails.filter((m) => m.status === 'sent')).toHaveLength(100);
    expect(mails.filter((m) => m.status === 'skipped' && m.reason === 'missing_email')).toHaveLength(1900);

    // One code per customer: the same code on both channels, no code twice.
    const codes = new Map(hooks.map((m) => [m.customer_id, m.voucher_code]));
    expect(new Set(codes.values()).size).toBe(2000);
    for (const m of mails.filter((x) => x.status === 'sent')) expect(m.voucher_code).toBe(codes.get(m.customer_id));
    expect(await models().Publication.countDocuments({ campaign_id: campaign.id })).toBe(2000);
    expect(
      new Set(
        (await models().Publication.find({ campaign_id: campaign.id }, { customer_id: 1 }).lean()).map(
          (p) => p.customer_id,
        ),
      ).size,
    ).toBe(2000);

    const received = hooksAt(suffix);
    expect(received).toHaveLength(2000);
    expect(new Set(received.map((r) => r.idempotencyKey)).size).toBe(2000);
    expect(received.every((r) => r.signatureValid)).toBe(true);
    const mailed = smtp.messages
      .slice(mailsBefore)
      .filter((m) => m.to.some((t) => t.endsWith('@example.com') && t.startsWith('c')));
    expect(mailed).toHaveLength(100);
    expect(new Set(mailed.flatMap((m) => m.to))).toEqual(
      new Set(Array.from({ length: 100 }, (_, k) => `c${k * 20}@example.com`)),
    );

    const progress = await handle(id).query(progressQuery);
    expect(progress).toMatchObject({ status: 'completed', recipients: 2000, batches_total: 10, batches_done: 10 });
  }, 600_000);

  it('sends nothing when cancelled during the grace period', async () => {
    const { segmentId } = await audience(5);
    const suffix = newId('cancel');
    const id = await distribution({
      audience: { type: 'segment', segment_id: segmentId },
      channels: [webhook(suffix)],
      grace_period_seconds: 600,
    });
    const scheduled = await reaches(id, 'scheduled');
    expect(scheduled.send_at!.getTime()).toBeGreaterThan(Date.now() + 500_000);
    await handle(id).signal(cancelSignal, { reason: 'changed my mind' });
    const cancelled = await reaches(id, 'cancelled');
    expect(cancelled.status_reason).toBe('changed my mind');
    await handle(id).result();
    expect(await messages(id)).toHaveLength(0);
    expect(hooksAt(suffix)).toHaveLength(0);
  });

  it('sends what an edit during the grace period changed, and ends the grace period at once on send-now', async () => {
    const { segmentId } = await audience(3);
    const suffix = newId('edit');
    const id = await distribution({
      audience: { type: 'segment', segment_id: segmentId },
      channels: [webhook(suffix, 'Old text')],
      grace_period_seconds: 600,
    });
    await reaches(id, 'scheduled');
    const result = await handle(id).executeUpdate(editUpdate, {
      args: [
        { channels: [{ type: 'webhook', settings: { url: `${hook.url}/${suffix}` }, template: { text: 'New text' } }] },
      ],
    });
    expect(result.version).toBe(2);
    const before = Date.now();
    await handle(id).signal(sendNowSignal);
    await reaches(id, 'completed', 30_000);
    expect(Date.now() - before).toBeLessThan(30_000);
    const received = hooksAt(suffix);
    expect(received).toHaveLength(3);
    expect(received.map((r) => (r.body as { text: string }).text)).toEqual(['New text', 'New text', 'New text']);
    // Operators filter by status in the Temporal UI.
    expect((await handle(id).describe()).typedSearchAttributes.get(DistributionStatusKey)).toBe('completed');
  });

  it('starts no new batch once cancelled while sending', async () => {
    const { segmentId } = await audience(1000);
    const suffix = newId('midcancel');
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 200, delayMs: 40 } : undefined));
    try {
      const id = await distribution({
        audience: { type: 'segment', segment_id: segmentId },
        channels: [webhook(suffix)],
        grace_period_seconds: 0,
      });
      await eventually(async () => (hooksAt(suffix).length > 0 ? true : undefined), 30_000, 'first webhook');
      await handle(id).signal(cancelSignal, {});
      const cancelled = await reaches(id, 'cancelled');
      expect(cancelled.status_reason).toBe('cancelled');
      expect(cancelled.recipients_count).toBe(1000);
      const all = await messages(id);
      // At most the four batches already in flight finish; the fifth never starts.
      expect(all.length).toBeLessThanOrEqual(800);
      expect(all.every((m) => m.status === 'sent')).toBe(true);
      expect(hooksAt(suffix).length).toBe(all.length);
      expect((await handle(id).query(progressQuery)).batches_done).toBeLessThan(5);
    } finally {
      hook.respond(undefined);
    }
  });

  it('continues as new between batches and still reaches everyone once', async () => {
    const { segmentId } = await audience(450);
    const suffix = newId('can');
    const id = await distribution(
      { audience: { type: 'segment', segment_id: segmentId }, channels: [webhook(suffix)], grace_period_seconds: 0 },
      { maxBatchesPerRun: 1 },
    );
    await reaches(id, 'completed');
    const all = await messages(id);
    expect(all).toHaveLength(450);
    expect(all.every((m) => m.status === 'sent')).toBe(true);
    expect(new Set(hooksAt(suffix).map((r) => r.idempotencyKey)).size).toBe(450);
    expect(hooksAt(suffix)).toHaveLength(450);
    const latest = await handle(id).describe();
    expect(latest.runId).not.toBe(firstRuns.get(id));
    expect(await handle(id).query(progressQuery)).toMatchObject({
      status: 'completed',
      recipients: 450,
      batches_total: 3,
      batches_done: 3,
    });
  });

  it('refuses an edit once sending started', async () => {
    const { segmentId } = await audience(6);
    const suffix = newId('late');
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 200, delayMs: 1_000 } : undefined));
    try {
      const id = await distribution({
        audience: { type: 'segment', segment_id: segmentId },
        channels: [webhook(suffix)],
        grace_period_seconds: 0,
      });
      await reaches(id, 'sending');
      const edit = handle(id).executeUpdate(editUpdate, { args: [{ name: 'Too late' }] });
      await expect(edit).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(edit).rejects.toMatchObject({ cause: { message: 'distribution_already_sending' } });
      const done = await reaches(id, 'completed');
      expect(done.name).not.toBe('Too late');
      expect(done.version).toBe(1);
    } finally {
      hook.respond(undefined);
    }
  });

  it('records consent skips: missing consent, unsubscribed (even with verification off) and missing email', async () => {
    const consent = newId('cnst');
    const grant = { [consent]: { granted: true, updated_at: new Date() } };
    const { segmentId, ids } = await audience(
      4,
      (i) =>
        [
          { email: 'ok@example.com', consents: grant },
          { email: 'noconsent@example.com' },
          { email: 'unsub@example.com', consents: grant, unsubscribed_channels: ['email'] },
          { consents: grant },
        ][i]!,
    );
    const [ok, noConsent, unsub, noEmail] = ids as [string, string, string, string];
    const verified = await distribution({
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: true, required: [consent] },
      channels: [email('Verified')],
      grace_period_seconds: 0,
    });
    const unverified = await distribution({
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: false, required: [consent] },
      channels: [email('Unverified')],
      grace_period_seconds: 0,
    });
    await reaches(verified, 'completed');
    await reaches(unverified, 'completed');

    const byCustomer = async (id: string) =>
      Object.fromEntries((await messages(id)).map((m) => [m.customer_id, { status: m.status, reason: m.reason }]));
    expect(await byCustomer(verified)).toEqual({
      [ok]: { status: 'sent', reason: undefined },
      [noConsent]: { status: 'skipped', reason: 'missing_consent' },
      [unsub]: { status: 'skipped', reason: 'unsubscribed' },
      [noEmail]: { status: 'skipped', reason: 'missing_email' },
    });
    expect(await byCustomer(unverified)).toEqual({
      [ok]: { status: 'sent', reason: undefined },
      [noConsent]: { status: 'sent', reason: undefined },
      [unsub]: { status: 'skipped', reason: 'unsubscribed' },
      [noEmail]: { status: 'skipped', reason: 'missing_email' },
    });
    await eventually(
      async () => (smtp.messages.filter((m) => m.subject === 'Unverified').length === 2 ? true : undefined),
      10_000,
      'two unverified mails',
    );
    expect(smtp.messages.filter((m) => m.subject === 'Verified').flatMap((m) => m.to)).toEqual(['ok@example.com']);
    expect(smtp.messages.some((m) => m.to.includes('unsub@example.com'))).toBe(false);
  });

  it('stops when a STATIC pool runs out, records everyone not reached, tells the operator once (retried), and a resume after adding codes reaches exactly them; an AUTO_UPDATE pool grows and reaches everyone', async () => {
    const { segmentId } = await audience(12);
    const staticCampaign = await createCampaign(h.sdk, {
      name: 'Tiny static',
      type: 'STATIC',
      vouchers_count: 5,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const suffix = newId('static');
    // The mail server refuses the first try: the notice is an activity that is retried.
    smtp.failNext(451, 1, 'data');
    const id = await distribution({
      name: 'Spring blast',
      audience: { type: 'segment', segment_id: segmentId },
      purpose: { type: 'unique_code', campaign_id: staticCampaign.id },
      channels: [webhook(suffix)],
      grace_period_seconds: 0,
      notify_emails: ['team@example.com'],
    });
    const stopped = await reaches(id, 'stopped');
    expect(stopped.status_reason).toBe('pool_exhausted');
    const first = await messages(id);
    expect(first.filter((m) => m.status === 'sent')).toHaveLength(5);
    expect(first.filter((m) => m.status === 'skipped' && m.reason === 'pool_exhausted')).toHaveLength(7);
    expect(first).toHaveLength(12);
    // Response bodies are JSON whose shape each assertion checks.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const api = (method: string, path: string) =>
      fetch(`${h.sdk.url}${path}`, { method, headers: h.t.auth }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as any,
      }));
    expect((await api('GET', `/v1/distributions/${id}/report`)).body).toMatchObject({
      recipients_count: 12,
      totals: { sent: 5, skipped: 7 },
      channels: [{ reasons: { pool_exhausted: 7 } }],
    });
    expect(await models().Publication.countDocuments({ campaign_id: staticCampaign.id })).toBe(5);
    const notice = (m: (typeof smtp.messages)[number]) => m.subject.includes('Spring blast');
    const notices = await eventually(
      async () => {
        const found = smtp.messages.filter(notice);
        return found.length > 0 ? found : undefined;
      },
      40_000,
      'operator notice',
    );
    expect(notices[0]!.to.sort()).toEqual(['ops@example.com', 'team@example.com']);
    expect(notices[0]!.subject).toContain('Tiny static');
    expect((await statusOf(id)).operator_notified_at).toBeInstanceOf(Date);
    expect((await handle(id).query(progressQuery)).status_reason).toBe('pool_exhausted');
    // The workflow stays open for a resume: an operator finds it in the Temporal UI.
    expect((await handle(id).describe()).status.name).toBe('RUNNING');

    // Codes are added as in Voucherify's API: a count to generate, and one given code.
    expect((await api('POST', `/v1/campaigns/${staticCampaign.id}/vouchers?vouchers_count=6`)).body).toMatchObject({
      vouchers_generation_status: 'IN_PROGRESS',
      vouchers_count: 11,
    });
    const given = await api('POST', `/v1/campaigns/${staticCampaign.id}/vouchers/SPRING-GIVEN-1`);
    expect(given).toMatchObject({ status: 200, body: { code: 'SPRING-GIVEN-1', object: 'voucher' } });
    expect((await api('POST', `/v1/campaigns/${staticCampaign.id}/vouchers/SPRING-GIVEN-1`)).status).toBe(409);
    await eventually(
      async () =>
        (await models().Campaign.findById(staticCampaign.id).lean())?.vouchers_generation_status === 'DONE'
          ? true
          : undefined,
      30_000,
      'codes added',
    );
    expect(await models().Voucher.countDocuments({ campaign_id: staticCampaign.id })).toBe(12);

    const resumed = await api('POST', `/v1/distributions/${id}/resume`);
    expect(resumed.status).toBe(200);
    expect(['sending', 'completed']).toContain(resumed.body.status);
    const done = await reaches(id, 'completed');
    expect(done.status_reason).toBeUndefined();
    const all = await messages(id);
    expect(all).toHaveLength(12);
    expect(all.every((m) => m.status === 'sent')).toBe(true);
    // Nobody reached before got anything more: one message and one code each.
    const sentFirst = new Map(first.filter((m) => m.status === 'sent').map((m) => [m.customer_id, m.voucher_code]));
    for (const m of all) if (sentFirst.has(m.customer_id)) expect(m.voucher_code).toBe(sentFirst.get(m.customer_id));
    expect(new Set(all.map((m) => m.voucher_code)).size).toBe(12);
    expect(all.map((m) => m.voucher_code)).toContain('SPRING-GIVEN-1');
    expect(hooksAt(suffix)).toHaveLength(12);
    expect(new Set(hooksAt(suffix).map((r) => (r.body as { customer: { id: string } }).customer.id)).size).toBe(12);
    expect(await models().Publication.countDocuments({ campaign_id: staticCampaign.id })).toBe(12);
    expect(smtp.messages.filter(notice)).toHaveLength(1);
    expect((await api('POST', `/v1/distributions/${id}/resume`)).status).toBe(409);

    const growing = await createCampaign(h.sdk, {
      name: 'Tiny auto',
      type: 'AUTO_UPDATE',
      vouchers_count: 3,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const suffix2 = newId('auto');
    const id2 = await distribution({
      audience: { type: 'segment', segment_id: segmentId },
      purpose: { type: 'unique_code', campaign_id: growing.id },
      channels: [webhook(suffix2)],
      grace_period_seconds: 0,
    });
    await reaches(id2, 'completed');
    const grown = await messages(id2);
    expect(grown.filter((m) => m.status === 'sent')).toHaveLength(12);
    expect(new Set(grown.map((m) => m.voucher_code)).size).toBe(12);
  });

  it('retries a 429 after its Retry-After and sends once; fails a 410 for good with the reason', async () => {
    const [a, b] = [newId('retry'), newId('gone')];
    let throttled = 0;
    hook.respond((r) => {
      if (r.path === `/hook/${a}` && throttled++ === 0) return { status: 429, headers: { 'Retry-After': '1' } };
      if (r.path === `/hook/${b}`) return { status: 410 };
      return undefined;
    });
    try {
      const one = await audience(1);
      const started = Date.now();
      const retried = await distribution({
        audience: { type: 'segment', segment_id: one.segmentId },
        channels: [webhook(a)],
        grace_period_seconds: 0,
      });
      const gone = await distribution({
        audience: { type: 'segment', segment_id: one.segmentId },
        channels: [webhook(b)],
        grace_period_seconds: 0,
      });
      await reaches(retried, 'completed');
      // Its one message failed: nothing was sent.
      expect(await reaches(gone, 'failed')).toMatchObject({ status_reason: 'all_messages_failed' });

      const [sent] = await messages(retried);
      expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
      expect(sent!.error).toBeUndefined();
      expect(hook.all.filter((r) => r.path === `/hook/${a}`).map((r) => r.status)).toEqual([429, 200]);
      const [first, second] = hook.all.filter((r) => r.path === `/hook/${a}`);
      expect(second!.receivedAt.getTime() - first!.receivedAt.getTime()).toBeGreaterThanOrEqual(900);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(hooksAt(a)).toHaveLength(1);

      const [failed] = await messages(gone);
      expect(failed).toMatchObject({ status: 'failed', reason: 'permanent_error', attempts: 1 });
      expect(failed!.error).toContain('410');
      expect(hook.all.filter((r) => r.path === `/hook/${b}`)).toHaveLength(1);
    } finally {
      hook.respond(undefined);
    }
  });

  it('fails what is still queued once the retry policy gives up, after honouring each Retry-After', async () => {
    const suffix = newId('down');
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 503, headers: { 'Retry-After': '1' } } : undefined));
    try {
      const one = await audience(1);
      const id = await distribution({
        audience: { type: 'segment', segment_id: one.segmentId },
        channels: [webhook(suffix)],
        grace_period_seconds: 0,
      });
      await reaches(id, 'failed', 60_000);
      const [failed] = await messages(id);
      expect(failed).toMatchObject({ status: 'failed', reason: 'retries_exhausted', attempts: 8 });
      expect(failed!.error).toContain('503');
      const tries = hook.all.filter((r) => r.path === `/hook/${suffix}`);
      expect(tries).toHaveLength(8);
      for (let i = 1; i < tries.length; i++)
        expect(tries[i]!.receivedAt.getTime() - tries[i - 1]!.receivedAt.getTime()).toBeGreaterThanOrEqual(900);
    } finally {
      hook.respond(undefined);
    }
  });

  it("delivers an event-fired run with the event's own code when the distribution publishes that campaign, once however often it runs", async () => {
    const campaign = await createCampaign(h.sdk, {
      name: 'Welcome codes',
      type: 'STATIC',
      vouchers_count: 3,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 15 } },
    });
    const { ids } = await audience(1);
    const customerId = ids[0]!;
    const published = await h.t.ctx.publications.publish({
      campaign: campaign.id,
      customer: customerId,
      channel: 'API',
    });
    const suffix = newId('event');
    const now = new Date();
    const distribution: DistributionDoc = {
      _id: newId('distr'),
      name: 'On publication',
      trigger: { type: 'voucher_published', campaign_id: campaign.id },
      purpose: { type: 'unique_code', campaign_id: campaign.id },
      audience: { type: 'trigger' },
      consents: { verification: false, required: [] },
      channels: [webhook(suffix, 'Your code {{voucher.code}}')],
      status: 'active',
      metadata: {},
      version: 1,
      created_at: now,
      updated_at: now,
    };
    const event = {
      _id: newId('evt'),
      type: 'voucher.published',
      created_at: now,
      customer_id: customerId,
      source: { type: 'publication', id: published.publication._id },
      data: {
        voucher: { id: published.voucher._id, code: published.voucher.code, object: 'voucher' },
        campaign: { id: campaign.id, name: campaign.name, object: 'campaign' },
        publication: { id: published.publication._id, object: 'publication' },
      },
    };
    const run = { distribution, run: event._id, customerIds: [customerId], event: event as never };
    const first = await deliverToCustomers(h.t.ctx, run);
    const again = await deliverToCustomers(h.t.ctx, run);
    expect(first).toEqual({ counts: { queued: 0, sent: 1, skipped: 0, failed: 0, unknown: 0 } });
    expect(again).toEqual({ counts: { queued: 0, sent: 1, skipped: 0, failed: 0, unknown: 0 } });
    expect(await models().Publication.countDocuments({ campaign_id: campaign.id })).toBe(1);
    const [message] = await models().DistributionMessage.find({ distribution_id: distribution._id }).lean();
    expect(message).toMatchObject({
      run: event._id,
      status: 'sent',
      voucher_code: published.voucher.code,
      publication_id: published.publication._id,
      attempts: 1,
    });
    expect(hooksAt(suffix).map((r) => (r.body as { text: string }).text)).toEqual([
      `Your code ${published.voucher.code}`,
    ]);
  });
});
