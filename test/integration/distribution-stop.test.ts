import { newId } from '../../src/ids';
import type { DistributionChannel, DistributionDoc } from '../../src/models/distribution';
import { DistributionIdKey, DistributionStatusKey, TriggerKey } from '../../workflows/contracts/search-attributes';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { distributionWorkflow } from '../../workflows/distribution';
import { startFakeWebhook, type FakeWebhook } from '../helpers/fake-webhook';
import { useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Every way an operator stops a manual distribution stops it for good: the API's cancel, a
 * cancellation request from Temporal (UI / CLI, here a client handle's cancel()), a terminate.
 */
describe('stopping a manual distribution', () => {
  const secret = 'whsec_stop_test';
  let hook: FakeWebhook;
  beforeAll(async () => {
    hook = await startFakeWebhook(secret);
  });
  afterAll(async () => {
    await hook?.close();
  });
  const h = useServiceHarness('distr_stop', { settings: { webhookSecret: secret, gracePeriodSeconds: 600 } });
  const models = () => h.t.ctx.models;

  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${h.sdk.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...h.t.auth },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  async function segmentOf(n: number): Promise<string> {
    const segmentId = newId('seg');
    const tag = segmentId.slice(4, 12);
    const now = new Date();
    const docs = Array.from({ length: n }, (_, i) => ({
      _id: `cust_${tag}_${String(i).padStart(5, '0')}`,
      source_id_key: `${tag}-${i}`,
      source_id: `${tag}-${i}`,
      name: `C${i}`,
      segments: [segmentId],
      metadata: {},
      created_at: now,
      updated_at: now,
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
    return segmentId;
  }

  const webhook = (suffix: string): DistributionChannel => ({
    type: 'webhook',
    settings: { url: `${hook.url}/${suffix}` },
    template: { text: 'Hi {{customer.name}}' },
  });
  const hooksAt = (suffix: string) => hook.requests.filter((r) => r.path === `/hook/${suffix}`);

  /** A manual distribution to `n` customers, started as the API starts it; returns its id and webhook path. */
  async function distribution(
    n: number,
    graceSeconds: number,
    taskQueue?: string,
  ): Promise<{ id: string; suffix: string; segmentId: string }> {
    const suffix = newId('s');
    const segmentId = await segmentOf(n);
    const doc: DistributionDoc = {
      _id: newId('distr'),
      name: 'Stop me',
      trigger: { type: 'manual' },
      purpose: { type: 'plain' },
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: false, required: [] },
      channels: [webhook(suffix)],
      status: 'waiting_for_audience',
      grace_period_seconds: graceSeconds,
      metadata: {},
      version: 1,
      created_at: new Date(),
      updated_at: new Date(),
    };
    await models().Distribution.create([doc], { timestamps: false });
    if (taskQueue)
      await h.t.ctx.temporal.workflow.start(distributionWorkflow, {
        workflowId: distributionWorkflowId(doc._id),
        taskQueue,
        args: [{ distributionId: doc._id }],
      });
    else await h.t.ctx.distributions.startWorkflow(doc);
    return { id: doc._id, suffix, segmentId };
  }

  const handle = (id: string) => h.t.ctx.temporal.workflow.getHandle(distributionWorkflowId(id));
  const stored = async (id: string) => (await models().Distribution.findById(id).lean())!;
  const reaches = (id: string, status: string, timeoutMs = 30_000) =>
    eventually(
      async () => {
        const d = await stored(id);
        return d.status === status ? d : undefined;
      },
      timeoutMs,
      `distribution ${id} ${status}`,
    );
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /**
   * Rounds of the reconciler (the worker runs one every 15 s) until it recorded the terminate:
   * Temporal's visibility may list a just-terminated run as running for a moment, which only
   * delays the record by a round. Each round must start nothing.
   */
  const reconcileUntilRecorded = (id: string) =>
    eventually(
      async () => {
        expect(await h.t.ctx.distributions.reconcile(0)).toBe(0);
        const d = await stored(id);
        return d.status === 'cancelled' ? d : undefined;
      },
      10_000,
      `reconciler recording ${id}`,
    );

  it('a cancel from Temporal during the grace period ends it cancelled_in_temporal; the reconciler starts nothing and nothing is sent', async () => {
    const { id, suffix } = await distribution(3, 600);
    await reaches(id, 'scheduled');
    const { runId } = await handle(id).describe();
    await handle(id).cancel();
    const cancelled = await reaches(id, 'cancelled');
    expect(cancelled.status_reason).toBe('cancelled_in_temporal');
    expect(cancelled.completed_at).toBeInstanceOf(Date);
    // The record is the run's last activity: the run closes a workflow task after it, a moment later on a loaded machine.
    const closed = await eventually(
      async () => {
        const { status } = await handle(id).describe();
        return status.name === 'RUNNING' ? undefined : status.name;
      },
      15_000,
      'run closed',
    );
    expect(closed).toBe('CANCELLED');

    // However often the reconciler looks (here with no age limit), it starts no new run.
    await models().Distribution.updateOne({ _id: id }, { $set: { updated_at: new Date(0) } }, { timestamps: false });
    expect(await h.t.ctx.distributions.reconcile(0)).toBe(0);
    const after = await handle(id).describe();
    expect(after.runId).toBe(runId);
    expect(after.status.name).toBe('CANCELLED');
    expect((await stored(id)).status).toBe('cancelled');
    expect(await models().DistributionMessage.countDocuments({ distribution_id: id })).toBe(0);
    expect(hooksAt(suffix)).toHaveLength(0);
  });

  it('a terminate during the grace period is found by the reconciler, which records cancelled / terminated instead of starting a new run', async () => {
    const { id, suffix } = await distribution(3, 600);
    await reaches(id, 'scheduled');
    const { runId } = await handle(id).describe();
    await handle(id).terminate('operator in the Temporal UI');
    // A terminate runs no workflow code: the document still says scheduled until the reconciler looks.
    expect((await stored(id)).status).toBe('scheduled');
    const ended = await reconcileUntilRecorded(id);
    expect(ended).toMatchObject({ status: 'cancelled', status_reason: 'terminated' });
    expect(ended.completed_at).toBeInstanceOf(Date);
    const after = await handle(id).describe();
    expect(after.runId).toBe(runId);
    expect(after.status.name).toBe('TERMINATED');
    // A later start under the same id is refused too (the API's create, a crash-recovery retry).
    expect(await h.t.ctx.distributions.startWorkflow(ended)).toBe(false);
    await sleep(1_500);
    expect(hooksAt(suffix)).toHaveLength(0);
    expect(await models().DistributionMessage.countDocuments({ distribution_id: id })).toBe(0);
  });

  it('a cancel from Temporal while sending ends it cancelled_in_temporal and stops the batches in flight', async () => {
    const { id, suffix } = await distribution(1_000, 0);
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 200, delayMs: 50 } : undefined));
    try {
      await eventually(async () => (hooksAt(suffix).length >= 20 ? true : undefined), 30_000, 'first webhooks');
      await handle(id).cancel();
      const cancelled = await reaches(id, 'cancelled');
      expect(cancelled.status_reason).toBe('cancelled_in_temporal');
      const atRecord = hooksAt(suffix).length;
      await sleep(2_000);
      const late = hooksAt(suffix).length - atRecord;
      console.log(`temporal cancel while sending: ${atRecord} webhooks before the cancel was recorded, ${late} after`);
      // Each of the four batches in flight finishes at most the group of sends it had started.
      expect(late).toBeLessThanOrEqual(32);
      expect(hooksAt(suffix).length).toBeLessThan(1_000);
      expect(await models().DistributionMessage.countDocuments({ distribution_id: id, status: 'sent' })).toBe(
        hooksAt(suffix).length,
      );
    } finally {
      hook.respond(undefined);
    }
  });

  it('a terminate while sending stops the batches in flight within seconds, before any reconciler looks', async () => {
    const { id, suffix } = await distribution(1_000, 0);
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 200, delayMs: 50 } : undefined));
    try {
      await eventually(async () => (hooksAt(suffix).length >= 20 ? true : undefined), 30_000, 'first webhooks');
      await handle(id).terminate('stop it');
      const atTerminate = hooksAt(suffix).length;
      // The batches hear of it from their next heartbeat's answer (at most a second apart).
      await sleep(2_500);
      const settled = hooksAt(suffix).length;
      await sleep(2_000);
      console.log(
        `terminate while sending, no reconciler: ${atTerminate} webhooks at the terminate, ${settled - atTerminate} in the next 2.5 s, ${hooksAt(suffix).length - settled} after`,
      );
      expect(hooksAt(suffix).length).toBe(settled);
      // At the receiver's pace (8 sends per batch every 50 ms, 4 batches) 2.5 s more would have been hundreds.
      expect(settled - atTerminate).toBeLessThan(400);
      expect((await stored(id)).status).toBe('sending');
    } finally {
      hook.respond(undefined);
      await h.t.ctx.distributions.reconcile(0);
    }
  });

  it('a terminate while sending is recorded by the reconciler, and the batches in flight stop', async () => {
    const { id, suffix } = await distribution(1_000, 0);
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 200, delayMs: 50 } : undefined));
    try {
      await eventually(async () => (hooksAt(suffix).length >= 20 ? true : undefined), 30_000, 'first webhooks');
      await handle(id).terminate('stop it');
      expect(await reconcileUntilRecorded(id)).toMatchObject({ status: 'cancelled', status_reason: 'terminated' });
      const atRecord = hooksAt(suffix).length;
      await sleep(2_000);
      const late = hooksAt(suffix).length - atRecord;
      console.log(`terminate while sending: ${atRecord} webhooks before the reconciler recorded it, ${late} after`);
      expect(late).toBeLessThanOrEqual(32);
      expect(hooksAt(suffix).length).toBeLessThan(1_000);
      expect((await handle(id).describe()).status.name).toBe('TERMINATED');
    } finally {
      hook.respond(undefined);
    }
  });

  it('a cancel flagged by the API whose signal never arrived still stops it cancelled, not completed', async () => {
    const { id, suffix } = await distribution(1_000, 0);
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 200, delayMs: 50 } : undefined));
    try {
      await eventually(async () => (hooksAt(suffix).length >= 20 ? true : undefined), 30_000, 'first webhooks');
      // What the API writes before it signals; here the signal is lost.
      await models().Distribution.updateOne({ _id: id }, { $set: { cancel_requested_at: new Date() } });
      const cancelled = await reaches(id, 'cancelled');
      expect(cancelled.status_reason).toBe('cancelled');
      expect(hooksAt(suffix).length).toBeLessThan(1_000);
    } finally {
      hook.respond(undefined);
    }
  });

  it("the API's cancel answers 200 with the status the workflow recorded", async () => {
    const { id, suffix } = await distribution(3, 600);
    await reaches(id, 'scheduled');
    const res = await api('POST', `/v1/distributions/${id}/cancel`, { reason: 'wrong audience' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'cancelled', status_reason: 'wrong audience' });
    expect(res.body.cancel_requested).toBeUndefined();
    // The answer comes once the cancel is recorded; the workflow closes just after, and closes completed.
    await handle(id).result();
    expect((await handle(id).describe()).status.name).toBe('COMPLETED');
    expect(hooksAt(suffix)).toHaveLength(0);
  });

  it("the API's send now answers 200 once the workflow started sending", async () => {
    const { id, suffix } = await distribution(3, 600);
    await reaches(id, 'scheduled');
    const res = await api('POST', `/v1/distributions/${id}/send_now`);
    expect(res.status).toBe(200);
    expect(['sending', 'completed']).toContain(res.body.status);
    expect(res.body.started_at).not.toBeNull();
    await reaches(id, 'completed');
    expect(hooksAt(suffix)).toHaveLength(3);
  });

  it('answers 202 with cancel_requested / send_now_requested when the workflow cannot confirm in time', async () => {
    // A workflow on a task queue no worker polls: it takes signals but never runs.
    const { id } = await distribution(1, 600, `${h.t.ctx.taskQueue}-nobody`);
    try {
      const now = await api('POST', `/v1/distributions/${id}/send_now`);
      expect(now.status).toBe(202);
      expect(now.body).toMatchObject({ id, status: 'waiting_for_audience', send_now_requested: true });
      const cancel = await api('POST', `/v1/distributions/${id}/cancel`);
      expect(cancel.status).toBe(202);
      expect(cancel.body).toMatchObject({ id, status: 'waiting_for_audience', cancel_requested: true });
      expect((await stored(id)).cancel_requested_at).toBeInstanceOf(Date);
    } finally {
      await handle(id).terminate('test over');
    }
  }, 30_000);

  it('a cancel through the API while sending to 1,500 recipients lets at most 50 messages arrive after it is answered', async () => {
    const { id, suffix } = await distribution(1_500, 0);
    hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 200, delayMs: 50 } : undefined));
    try {
      await eventually(async () => (hooksAt(suffix).length >= 100 ? true : undefined), 60_000, 'first webhooks');
      const res = await api('POST', `/v1/distributions/${id}/cancel`);
      const atAnswer = hooksAt(suffix).length;
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'cancelled', status_reason: 'cancelled' });
      await sleep(3_000);
      const late = hooksAt(suffix).length - atAnswer;
      console.log(
        `API cancel while sending to 1,500 (50 ms receiver): ${atAnswer} messages before the answer, ${late} after`,
      );
      expect(late).toBeLessThanOrEqual(50);
      expect(await models().DistributionMessage.countDocuments({ distribution_id: id, status: 'sent' })).toBe(
        hooksAt(suffix).length,
      );
    } finally {
      hook.respond(undefined);
    }
  }, 120_000);

  describe('end states', () => {
    it('a run in which every message failed ends failed / all_messages_failed, not completed', async () => {
      const { id, suffix } = await distribution(3, 0);
      hook.respond((r) => (r.path === `/hook/${suffix}` ? { status: 410 } : undefined));
      try {
        const failed = await reaches(id, 'failed');
        expect(failed.status_reason).toBe('all_messages_failed');
        expect(failed.completed_at).toBeInstanceOf(Date);
        const got = await api('GET', `/v1/distributions/${id}`);
        expect(got.body).toMatchObject({ status: 'failed', status_reason: 'all_messages_failed' });
        expect((await api('GET', `/v1/distributions/${id}/report`)).body).toMatchObject({
          recipients_count: 3,
          totals: { sent: 0, failed: 3 },
        });
        expect((await api('GET', '/v1/distributions?status=failed')).body.data.map((d: Json) => d.id)).toContain(id);
        expect((await api('POST', `/v1/distributions/${id}/cancel`)).status).toBe(409);
      } finally {
        hook.respond(undefined);
      }
    });

    it('a run where some messages were sent and others failed ends completed, the failures in its report', async () => {
      const { id, suffix } = await distribution(4, 0);
      let n = 0;
      hook.respond((r) => (r.path === `/hook/${suffix}` && n++ % 2 === 0 ? { status: 410 } : undefined));
      try {
        await reaches(id, 'completed');
        expect((await api('GET', `/v1/distributions/${id}/report`)).body).toMatchObject({
          totals: { sent: 2, failed: 2 },
        });
      } finally {
        hook.respond(undefined);
      }
    });

    it('a segment deleted during the grace period stops the distribution with audience_deleted, and nothing is sent', async () => {
      const { id, suffix, segmentId } = await distribution(3, 2);
      await reaches(id, 'scheduled');
      expect(
        (await fetch(`${h.sdk.url}/v1/segments/${segmentId}`, { method: 'DELETE', headers: h.t.auth })).status,
      ).toBe(204);
      const stopped = await reaches(id, 'stopped');
      expect(stopped.status_reason).toBe('audience_deleted');
      expect(stopped.started_at).toBeUndefined();
      expect(await models().DistributionMessage.countDocuments({ distribution_id: id })).toBe(0);
      expect(hooksAt(suffix)).toHaveLength(0);
    });

    it('a segment whose sync restarts during the grace period is waited for again before the audience is snapshotted', async () => {
      const { id, suffix, segmentId } = await distribution(2, 1);
      await reaches(id, 'scheduled');
      // An edit of the segment restarts its sync: as the API's PUT does, before its sync workflow finishes.
      await models().Segment.updateOne({ _id: segmentId }, { $set: { sync_status: 'syncing' } });
      await sleep(3_500);
      expect((await stored(id)).status).toBe('scheduled');
      expect(hooksAt(suffix)).toHaveLength(0);
      // The sync ends with a third member: the snapshot sees it.
      const now = new Date();
      await models().Customer.create({
        _id: `cust_late_${segmentId}`,
        source_id_key: `late-${segmentId}`,
        source_id: `late-${segmentId}`,
        name: 'Late',
        segments: [segmentId],
        metadata: {},
        created_at: now,
        updated_at: now,
      });
      await models().Segment.updateOne(
        { _id: segmentId },
        { $set: { sync_status: 'synced', synced_at: now, size: 3 } },
      );
      const done = await reaches(id, 'completed', 60_000);
      expect(done.recipients_count).toBe(3);
      expect(hooksAt(suffix)).toHaveLength(3);
    }, 90_000);
  });

  describe('automatic distributions', () => {
    async function automatic(): Promise<string> {
      const segmentId = await segmentOf(1);
      const res = await api('POST', '/v1/distributions', {
        name: 'Welcome',
        trigger: { type: 'customer_entered_segment', segment_id: segmentId },
        purpose: { type: 'plain' },
        consents: { verification: false },
        channels: [webhook(newId('auto'))],
      });
      expect(res.status).toBe(200);
      return res.body.id as string;
    }
    const attribute = async (id: string, key: typeof DistributionStatusKey) =>
      (await handle(id).describe()).typedSearchAttributes.get(key);

    it('have a long-running workflow distribution-<id> an operator finds by DistributionId; pause, resume and cancel go through it', async () => {
      const id = await automatic();
      const wf = await handle(id).describe();
      expect(wf.type).toBe('automaticDistributionWorkflow');
      expect(wf.status.name).toBe('RUNNING');
      expect(wf.typedSearchAttributes.get(DistributionIdKey)).toBe(id);
      expect(wf.typedSearchAttributes.get(TriggerKey)).toBe('customer_entered_segment');
      const found = await eventually(
        async () => {
          const ids: string[] = [];
          for await (const w of h.t.ctx.temporal.workflow.list({ query: `DistributionId = "${id}"` }))
            ids.push(w.workflowId);
          return ids.length > 0 ? ids : undefined;
        },
        15_000,
        'listed by DistributionId',
      );
      expect(found).toEqual([distributionWorkflowId(id)]);

      expect((await api('POST', `/v1/distributions/${id}/pause`)).body).toMatchObject({ status: 'paused' });
      await eventually(
        async () => ((await attribute(id, DistributionStatusKey)) === 'paused' ? true : undefined),
        10_000,
        'paused attribute',
      );
      expect((await api('POST', `/v1/distributions/${id}/resume`)).body).toMatchObject({ status: 'active' });
      const cancelled = await api('POST', `/v1/distributions/${id}/cancel`, { reason: 'campaign over' });
      expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', status_reason: 'campaign over' } });
      await handle(id).result();
      expect((await handle(id).describe()).status.name).toBe('COMPLETED');
      expect(await attribute(id, DistributionStatusKey)).toBe('cancelled');
    });

    it('a cancel from Temporal ends it cancelled_in_temporal; a terminate is recorded cancelled / terminated by the reconciler', async () => {
      const a = await automatic();
      await handle(a).cancel();
      expect(await reaches(a, 'cancelled')).toMatchObject({ status_reason: 'cancelled_in_temporal' });
      const b = await automatic();
      await handle(b).terminate('operator');
      expect((await stored(b)).status).toBe('active');
      expect(await reconcileUntilRecorded(b)).toMatchObject({ status: 'cancelled', status_reason: 'terminated' });
      expect((await handle(b).describe()).status.name).toBe('TERMINATED');
    });

    it('one made before it had a workflow gets one from the reconciler', async () => {
      const id = await automatic();
      await handle(id).terminate('as if it never had one');
      // The terminated run is not reopened: a distribution without any run is what gets one.
      const legacy = { ...(await stored(id)), _id: newId('distr'), status: 'active' as const, updated_at: new Date(0) };
      await models().Distribution.create([legacy], { timestamps: false });
      await h.t.ctx.distributions.reconcile(0);
      expect((await handle(legacy._id).describe()).status.name).toBe('RUNNING');
      await handle(legacy._id).terminate('test over');
    });
  });
});
