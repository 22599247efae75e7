import request from 'supertest';
import { WebhookChannel } from '../../src/channels/webhook';
import { newId } from '../../src/ids';
import { startFakeWebhook, type FakeWebhook, type WebhookRequest, type WebhookResponse } from '../helpers/fake-webhook';
import { useServiceHarness } from '../helpers/harness';
import { startPlainDistribution } from '../helpers/plain-distribution';
import { eventually } from '../helpers/sdk';

const customerOf = (r: WebhookRequest): string | undefined => (r.body as { customer?: { id?: string } }).customer?.id;
/** How long after the adapter built a request the receiver had read it. */
const lag = (r: WebhookRequest): number =>
  r.receivedAt.getTime() - Date.parse((r.body as { created_at: string }).created_at);

/**
 * The receiver misbehaves for a window of time — 429 with Retry-After, 500s, answers slower
 * than the adapter waits, connections reset — then recovers. Every message must end `sent`
 * (once: nothing the receiver accepted is sent again), retries must wait what Retry-After
 * asked, and one customer whose endpoint is gone for good (410) ends `failed` with the reason.
 */
describe('a distribution through a faulty receiver', () => {
  const secret = 'whsec_faults';
  /** Short, so a "timeout" costs the test a second, not the default ten; long enough for a loaded machine's fast answers. */
  const ADAPTER_TIMEOUT_MS = 1000;
  const RETRY_AFTER_SECONDS = 2;
  const FAULT_WINDOW_MS = 6_000;
  const CUSTOMERS = 48;
  const GONE = 'cust_fault_00007';
  const h = useServiceHarness('distr_faults', {
    settings: { webhookSecret: secret, gracePeriodSeconds: 0 },
    channels: [new WebhookChannel(secret, ADAPTER_TIMEOUT_MS)],
  });
  let hook: FakeWebhook;

  beforeAll(async () => {
    hook = await startFakeWebhook(secret);
  });
  afterAll(async () => {
    await hook?.close();
  });

  it('ends every message sent after the faults, waiting Retry-After, and fails the gone address with its reason', async () => {
    const { models } = h.t.ctx;
    const now = new Date();
    const segmentId = newId('seg');
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => `cust_fault_${String(i).padStart(5, '0')}`);
    await models.Customer.insertMany(
      ids.map((_id, i) => ({
        _id,
        source_id_key: `fault-${i}`,
        segments: [segmentId],
        metadata: {},
        created_at: now,
        updated_at: now,
      })),
    );
    await models.Segment.create({
      _id: segmentId,
      name: 'Fault audience',
      type: 'static',
      customers: ids,
      sync_status: 'synced',
      size: CUSTOMERS,
      synced_at: now,
    });

    // Faults in turn, request by request, from the first request for FAULT_WINDOW_MS; every fifth request gets through.
    const faults: WebhookResponse[] = [
      { status: 429, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } },
      { status: 500 },
      { status: 503, delayMs: ADAPTER_TIMEOUT_MS * 3 },
      { status: 200, reset: true },
      { status: 200 },
    ];
    let windowStart: number | undefined;
    let n = 0;
    hook.respond((req) => {
      if (customerOf(req) === GONE) return { status: 410 };
      windowStart ??= Date.now();
      if (Date.now() - windowStart >= FAULT_WINDOW_MS) return { status: 200 };
      return faults[n++ % faults.length];
    });

    const id = await startPlainDistribution(h.t.ctx, {
      name: 'Faulty receiver',
      segmentId,
      url: hook.url,
      text: 'Hello {{customer.id}}',
      taskQueue: h.t.ctx.taskQueue,
    });
    await eventually(
      async () => ((await models.Distribution.findById(id).lean())?.status === 'completed' ? true : undefined),
      100_000,
      'distribution completed',
    );

    const messages = await models.DistributionMessage.find({ distribution_id: id }).lean();
    expect(messages).toHaveLength(CUSTOMERS);
    const gone = messages.find((m) => m.customer_id === GONE);
    expect(gone).toMatchObject({ status: 'failed', reason: 'permanent_error' });
    expect(gone?.error).toMatch(/410/);
    const others = messages.filter((m) => m.customer_id !== GONE);
    expect(
      others.filter((m) => m.status !== 'sent').map((m) => `${m.customer_id}: ${m.status} ${m.error ?? ''}`),
    ).toEqual([]);
    // A permanent answer is final: nothing was sent for it once it was recorded failed. (It can
    // be asked twice only if its first answer came after the adapter gave up: a timeout, retried.)
    const goneRequests = hook.all.filter((r) => customerOf(r) === GONE);
    expect(goneRequests.length).toBeGreaterThanOrEqual(1);
    expect(goneRequests.filter((r) => r.receivedAt > gone!.updated_at)).toEqual([]);

    // The report tells the operator why.
    const report = await request(h.app).get(`/v1/distributions/${id}/report`).set(h.t.auth).expect(200);
    expect(report.body.totals).toEqual({ queued: 0, sent: CUSTOMERS - 1, skipped: 0, failed: 1, unknown: 0 });
    expect(report.body.channels[0].reasons).toEqual({ permanent_error: 1 });

    // Every kind of fault happened, and messages hit by one were retried until accepted.
    const answered = (s: number) => hook.all.filter((r) => r.status === s);
    expect(answered(429).length).toBeGreaterThan(0);
    expect(answered(500).length).toBeGreaterThan(0);
    expect(answered(503).length).toBeGreaterThan(0);
    const resets = hook.all.filter((r) => r.status === 0);
    expect(resets.length).toBeGreaterThan(0);
    const retried = others.filter((m) => m.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);

    // Exactly once at the receiver: nothing it accepted in time was sent again. A repeat is
    // possible only when the accepted request reached the receiver so late that the adapter had
    // already timed out (the machine is loaded; the receiver shares the worker's process).
    const firstAccepted = new Map<string, WebhookRequest>();
    const lateRepeats: string[] = [];
    for (const r of hook.requests) {
      const first = firstAccepted.get(r.idempotencyKey ?? '');
      if (!first) firstAccepted.set(r.idempotencyKey ?? '', r);
      else if (lag(first) < ADAPTER_TIMEOUT_MS / 2)
        throw new Error(
          `${r.idempotencyKey} accepted twice though its first request came ${lag(first)} ms after it was made`,
        );
      else lateRepeats.push(r.idempotencyKey ?? '');
    }
    expect(hook.duplicates()).toBe(lateRepeats.length);
    expect(new Set(hook.requests.map((r) => r.idempotencyKey))).toEqual(new Set(others.map((m) => m._id)));

    // Retry-After: the next request for a message answered 429 came no sooner than asked.
    const byKey = new Map<string, WebhookRequest[]>();
    for (const r of hook.all) byKey.set(r.idempotencyKey ?? '', [...(byKey.get(r.idempotencyKey ?? '') ?? []), r]);
    const gaps: number[] = [];
    for (const requests of byKey.values()) {
      requests.forEach((r, i) => {
        const nextOne = requests[i + 1];
        if (r.status === 429 && nextOne) gaps.push(nextOne.receivedAt.getTime() - r.receivedAt.getTime());
      });
    }
    expect(gaps.length).toBeGreaterThan(0);
    // The receivedAt of the 429 is when the request arrived, before the answer: the gap can only be longer.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
    console.log(
      `fault test: ${hook.all.length} requests for ${CUSTOMERS} messages (${answered(429).length}× 429, ${answered(500).length}× 500, ${answered(503).length}× slow, ${resets.length}× reset); ` +
        `gaps after 429: min ${Math.min(...gaps)} ms, max ${Math.max(...gaps)} ms; repeats of late-accepted requests: ${lateRepeats.length}`,
    );
  }, 120_000);
});
