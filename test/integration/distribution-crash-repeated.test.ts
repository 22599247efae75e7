import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { campaignInput } from '../../src/campaigns/campaign-input';
import { newId } from '../../src/ids';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { distributionWorkflow } from '../../workflows/distribution';
import { createTestContext, type TestContext } from '../helpers/context';
import { startFakeWebhook, type FakeWebhook, type WebhookRequest } from '../helpers/fake-webhook';
import { eventually } from '../helpers/sdk';
import { workerProcessFor, type WorkerProcess } from '../helpers/worker-process';

/** Deterministic "random" kill points: the same seed, the same run; CRASH_SEED explores others. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Kill points as counts of accepted requests, increasing and spread over `[from, to]` of
 * `total`: one per equal slice, at a random place in it, so every kill lands on a worker
 * that has been sending again since the previous restart.
 */
function killPoints(random: () => number, kills: number, total: number, from = 0.08, to = 0.85): number[] {
  const slice = (to - from) / kills;
  return Array.from({ length: kills }, (_, i) => Math.floor(total * (from + slice * (i + 0.15 + 0.7 * random()))));
}

/**
 * The worker process is SIGKILLed several times at random points of one distribution's
 * fan-out and started again each time. On our records every eligible customer ends with
 * exactly one `sent` message per channel and exactly one code. The receiver may accept a
 * message twice only when the kill fell between its 200 and our record (the send was in
 * flight): such a repeat carries the same Idempotency-Key, straddles a kill, and there are
 * at most as many as could be in flight.
 */
describe('a worker killed several times mid fan-out still records every message exactly once', () => {
  /**
   * 5,000 in the issue; on this 2-core machine shared with other runs that did not finish in
   * 6 minutes (a unique-code send also publishes and raises voucher.published per customer),
   * while 1,500 with 3 kills took about 75 s. CRASH_CUSTOMERS=5000 runs the size.
   */
  const CUSTOMERS = Number(process.env.CRASH_CUSTOMERS ?? 1500);
  /** Every 100th customer unsubscribed from webhooks: skipped, no code. */
  const isUnsubscribed = (i: number): boolean => i % 100 === 99;
  const KILLS = 3;
  /** What one worker can have in flight: 4 batches (workflows/distribution.ts) × 8 customers (src/distributions/delivery.ts), per channel. */
  const IN_FLIGHT_PER_CHANNEL = 4 * 8;
  /** Channel paths on the receiver; more than one multiplies the run time (CRASH_CHANNELS=2). */
  const CHANNELS = ['a', 'b', 'c'].slice(0, Number(process.env.CRASH_CHANNELS ?? 1));
  const seed = Number(process.env.CRASH_SEED ?? 20261129);
  const secret = 'whsec_crash_repeated_0123456789abcdef0123';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'promo-distr-crash3-'));
  let t: TestContext;
  let hook: FakeWebhook;
  let worker: WorkerProcess;

  beforeAll(async () => {
    t = await createTestContext('distr_crash3');
    hook = await startFakeWebhook(secret);
    // A little latency per request, as a real receiver has, keeps sends in flight when the kill comes.
    hook.respond(() => ({ status: 200, delayMs: 5 }));
    worker = workerProcessFor(t.ctx, dataDir, {
      DISTRIBUTION_GRACE_PERIOD_SECONDS: '0',
      WEBHOOK_SIGNING_SECRET: secret,
    });
  });
  afterAll(async () => {
    await worker?.stop('SIGTERM');
    await hook?.close();
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(`is SIGKILLed ${KILLS} times and restarted: one sent message per channel and one code per eligible customer`, async () => {
    worker.start();
    const { models } = t.ctx;
    const segmentId = newId('seg');
    const now = new Date();
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `cust_crash3_${String(i).padStart(5, '0')}`);
    const eligible = ids.filter((_, i) => !isUnsubscribed(i));
    await models.Customer.insertMany(
      ids.map((_id, i) => ({
        _id,
        source_id_key: `crash3-${i}`,
        segments: [segmentId],
        metadata: {},
        ...(isUnsubscribed(i) ? { unsubscribed_channels: ['webhook'] } : {}),
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
      channels: CHANNELS.map((c) => ({
        type: 'webhook',
        settings: { url: `${hook.url}/${c}` },
        template: { text: `Your code {{voucher.code}}` },
      })),
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

    const totalSends = eligible.length * CHANNELS.length;
    const points = killPoints(mulberry32(seed), KILLS, totalSends);
    const kills: Array<{ at: number; restartedAt: number; accepted: number }> = [];
    for (const point of points) {
      await hook.waitFor(point, 240_000).catch((err: Error) => {
        throw new Error(`${err.message}; worker log:\n${worker.logTail()}`);
      });
      const at = Date.now();
      await worker.stop('SIGKILL');
      const accepted = hook.requests.length;
      worker.start();
      kills.push({ at, restartedAt: Date.now(), accepted });
    }
    expect(kills.every((k) => k.accepted < totalSends)).toBe(true);

    await eventually(
      async () => ((await models.Distribution.findById(id).lean())?.status === 'completed' ? true : undefined),
      300_000,
      'distribution completed',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; worker log:\n${worker.logTail()}`);
    });
    const elapsed = Date.now() - started;

    // Our records: exactly once.
    const messages = await models.DistributionMessage.find({ distribution_id: id }).lean();
    expect(messages).toHaveLength(CUSTOMERS * CHANNELS.length);
    const sent = messages.filter((m) => m.status === 'sent');
    const skipped = messages.filter((m) => m.status === 'skipped');
    expect(sent).toHaveLength(totalSends);
    expect(skipped).toHaveLength((CUSTOMERS - eligible.length) * CHANNELS.length);
    expect(skipped.every((m) => m.reason === 'unsubscribed')).toBe(true);
    for (const channelIndex of CHANNELS.keys()) {
      const ofChannel = sent.filter((m) => m.channel_index === channelIndex);
      expect(ofChannel).toHaveLength(eligible.length);
      expect(new Set(ofChannel.map((m) => m.customer_id))).toEqual(new Set(eligible));
    }
    // One code per eligible customer, the same on both channels, distinct across customers.
    const codeOf = new Map<string, string>();
    for (const m of sent) {
      expect(m.voucher_code).toBeDefined();
      const known = codeOf.get(m.customer_id);
      if (known !== undefined) expect(m.voucher_code).toBe(known);
      else codeOf.set(m.customer_id, m.voucher_code!);
    }
    expect(codeOf.size).toBe(eligible.length);
    expect(new Set(codeOf.values()).size).toBe(eligible.length);
    const publications = await models.Publication.find({ campaign_id: campaign._id }).lean();
    expect(publications).toHaveLength(eligible.length);
    expect(new Set(publications.map((p) => p.customer_id))).toEqual(new Set(eligible));

    // The receiver: every message arrived; a repeat only for a send in flight at a kill.
    const byKey = new Map<string, WebhookRequest[]>();
    for (const r of hook.requests) byKey.set(r.idempotencyKey ?? '', [...(byKey.get(r.idempotencyKey ?? '') ?? []), r]);
    expect(byKey.has('')).toBe(false);
    expect(byKey.size).toBe(totalSends);
    expect(new Set(sent.map((m) => m._id))).toEqual(new Set(byKey.keys()));
    const duplicates = hook.duplicates();
    expect(hook.requests.length - byKey.size).toBe(duplicates);
    for (const [key, requests] of byKey) {
      if (requests.length === 1) continue;
      // Each repeat needs a kill between the earlier request and it: the earlier one reached the
      // receiver before the new worker started, the repeat after the old one was killed.
      for (let i = 1; i < requests.length; i++) {
        const before = requests[i - 1]!.receivedAt.getTime();
        const after = requests[i]!.receivedAt.getTime();
        const straddled = kills.filter((k) => before <= k.restartedAt && after >= k.at);
        if (straddled.length === 0)
          throw new Error(
            `message ${key} was accepted twice with no kill between (${requests[i - 1]!.receivedAt.toISOString()}, ${requests[i]!.receivedAt.toISOString()})`,
          );
      }
    }
    expect(duplicates).toBeLessThanOrEqual(KILLS * IN_FLIGHT_PER_CHANNEL * CHANNELS.length);
    // How long each kill stopped the sends: from the kill to the next request the receiver got.
    const pauses = kills.map((k) => {
      const next = hook.all.find((r) => r.receivedAt.getTime() > k.restartedAt);
      return next ? next.receivedAt.getTime() - k.at : NaN;
    });
    console.log(
      `crash test (seed ${seed}): ${CUSTOMERS} customers × ${CHANNELS.length} channels, SIGKILLed after ${kills.map((k) => k.accepted).join(', ')} accepted requests (sends paused ${pauses.join(', ')} ms), ` +
        `completed in ${elapsed} ms; duplicate Idempotency-Keys accepted by the receiver: ${duplicates} (bound ${KILLS * IN_FLIGHT_PER_CHANNEL * CHANNELS.length})`,
    );
  }, 600_000);
});
