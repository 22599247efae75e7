import path from 'node:path';
import { BATCH_SEND_SIZE, deliverToCustomers } from '../../src/distributions/delivery';
import { newId } from '../../src/ids';
import type { DistributionChannel, DistributionDoc } from '../../src/models/distribution';
import { messageId } from '../../src/models/distribution-message';
import { distributionWorkflowId } from '../../workflows/contracts/distribution';
import { openApiValidator, startFakeProvider, type FakeProvider } from '../helpers/fake-provider';
import { useServiceHarness } from '../helpers/harness';
import { loadOpenApi } from '../helpers/openapi-validator';
import { eventually } from '../helpers/sdk';

/**
 * A batch provider (SendGrid, checked against its OpenAPI spec) gets at most BATCH_SEND_SIZE
 * recipients per request, so a worker killed during one resends at most that many of a batch;
 * an `at_most_once` channel records a message whose call may have happened `unknown` instead.
 */
describe('batch-provider delivery: request size and at_most_once', () => {
  let fake: FakeProvider;
  beforeAll(async () => {
    const spec = await loadOpenApi(
      path.resolve(__dirname, '../fixtures/provider-specs/sendgrid/sendgrid_mail_v3.openapi.json'),
    );
    const check = openApiValidator(spec);
    fake = await startFakeProvider({
      validate: (r) => (r.path === '/v3/scopes' ? [] : check(r)),
      defaultResponse: { status: 202, headers: { 'X-Message-Id': 'sg-batch' } },
    });
  });
  afterAll(async () => {
    await fake?.close();
  });
  // Where the operator would point SendGrid (PROVIDER_BASE_URLS): filled once the fake listens, before the registry is built.
  const providerBaseUrls: Record<string, string> = {};
  beforeAll(() => {
    providerBaseUrls.sendgrid = fake.url;
  });
  const h = useServiceHarness('distr_batch', { settings: { gracePeriodSeconds: 0, providerBaseUrls } });
  const models = () => h.t.ctx.models;

  let channelId: string;
  beforeAll(async () => {
    const res = await fetch(`${h.sdk.url}/v1/channels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.t.auth },
      body: JSON.stringify({
        type: 'sendgrid',
        name: 'SendGrid test',
        credentials: { api_key: 'SG.batch-test-key' },
        settings: { from: 'promo@example.com' },
      }),
    });
    channelId = ((await res.json()) as { id: string }).id;
  });

  async function customers(n: number): Promise<{ segmentId: string; ids: string[] }> {
    const segmentId = newId('seg');
    const tag = segmentId.slice(4, 12);
    const now = new Date();
    const docs = Array.from({ length: n }, (_, i) => ({
      _id: `cust_${tag}_${String(i).padStart(4, '0')}`,
      source_id_key: `${tag}-${i}`,
      name: `C${i}`,
      email: `c${i}.${tag}@example.com`,
      segments: [segmentId],
      metadata: {},
      created_at: now,
      updated_at: now,
    }));
    await models().Customer.insertMany(docs);
    await models().Segment.create({
      _id: segmentId,
      name: tag,
      type: 'static',
      customers: docs.map((d) => d._id),
      sync_status: 'synced',
      size: n,
      synced_at: now,
    });
    return { segmentId, ids: docs.map((d) => d._id) };
  }
  const sendgrid = (delivery?: DistributionChannel['delivery']): DistributionChannel => ({
    type: 'sendgrid',
    channel_id: channelId,
    settings: {},
    template: { subject: 'Hi', text: 'Hello {{customer.name}}' },
    ...(delivery ? { delivery } : {}),
  });
  const personalizations = (since: number) =>
    fake.requests
      .slice(since)
      .filter((r) => r.path === '/v3/mail/send')
      .map((r) => (r.body as { personalizations: Array<{ custom_args: { message_id: string } }> }).personalizations);

  it(`cuts a manual distribution's SendGrid requests to ${BATCH_SEND_SIZE} recipients`, async () => {
    const { segmentId } = await customers(230);
    const since = fake.requests.length;
    const res = await fetch(`${h.sdk.url}/v1/distributions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.t.auth },
      body: JSON.stringify({
        name: 'Batched',
        trigger: { type: 'manual' },
        purpose: { type: 'plain' },
        audience: { type: 'segment', segment_id: segmentId },
        consents: { verification: false },
        channels: [sendgrid('at_most_once')],
      }),
    });
    const { id, channels } = (await res.json()) as { id: string; channels: DistributionChannel[] };
    expect(channels[0]!.delivery).toBe('at_most_once');
    await eventually(
      async () => ((await models().Distribution.findById(id).lean())?.status === 'completed' ? true : undefined),
      60_000,
      'completed',
    );
    const sent = personalizations(since);
    expect(sent.every((p) => p.length <= BATCH_SEND_SIZE)).toBe(true);
    expect(sent.flat()).toHaveLength(230);
    expect(fake.requests.slice(since).every((r) => r.problems.length === 0)).toBe(true);
    expect(await models().DistributionMessage.countDocuments({ distribution_id: id, status: 'sent' })).toBe(230);
    await h.t.ctx.temporal.workflow.getHandle(distributionWorkflowId(id)).result();
  });

  /** A run as a worker killed mid-request leaves it: the first `crashed` messages queued, in flight, no outcome. */
  async function afterCrash(delivery: DistributionChannel['delivery'], n: number, crashed: number) {
    const { ids } = await customers(n);
    const now = new Date();
    const distribution: DistributionDoc = {
      _id: newId('distr'),
      name: `Crashed ${delivery}`,
      trigger: { type: 'manual' },
      purpose: { type: 'plain' },
      audience: { type: 'customer', customer_id: ids[0]! },
      consents: { verification: false, required: [] },
      channels: [sendgrid(delivery)],
      status: 'sending',
      metadata: {},
      version: 1,
      created_at: now,
      updated_at: now,
    };
    await models().Distribution.create([distribution], { timestamps: false });
    await models().DistributionMessage.insertMany(
      ids.slice(0, crashed).map((c) => ({
        _id: messageId(distribution._id, 'manual', c, 0),
        distribution_id: distribution._id,
        run: 'manual',
        customer_id: c,
        channel_index: 0,
        channel_type: 'sendgrid',
        status: 'queued',
        in_flight: true,
        attempts: 1,
        created_at: now,
        updated_at: now,
      })),
    );
    const since = fake.requests.length;
    const outcome = await deliverToCustomers(h.t.ctx, { distribution, run: 'manual', customerIds: ids });
    const requested = personalizations(since)
      .flat()
      .map((p) => p.custom_args.message_id);
    const records = await models().DistributionMessage.find({ distribution_id: distribution._id }).lean();
    return { distribution, ids, outcome, requested, records };
  }

  it('at_most_once: a message whose provider call may have happened is recorded unknown and never sent again', async () => {
    const { outcome, requested, records, distribution, ids } = await afterCrash('at_most_once', 8, 3);
    expect(outcome.counts).toMatchObject({ sent: 5, unknown: 3 });
    expect(requested).toHaveLength(5);
    const unknown = records.filter((r) => r.status === 'unknown');
    expect(unknown.map((r) => r.customer_id).sort()).toEqual(ids.slice(0, 3));
    expect(unknown.every((r) => r.reason === 'send_may_have_happened')).toBe(true);
    expect(requested.some((m) => unknown.some((u) => u._id === m))).toBe(false);
    // Again (a retry): nothing more is sent, the unknown ones stay unknown.
    const since = fake.requests.length;
    await deliverToCustomers(h.t.ctx, { distribution, run: 'manual', customerIds: ids });
    expect(personalizations(since)).toHaveLength(0);
    const report = await (
      await fetch(`${h.sdk.url}/v1/distributions/${distribution._id}/report`, { headers: h.t.auth })
    ).json();
    expect(report).toMatchObject({
      totals: { sent: 5, unknown: 3 },
      channels: [{ unknown: 3, reasons: { send_may_have_happened: 3 } }],
    });
  });

  it('at_least_once (the default): those messages are sent again with the same message id, and end sent', async () => {
    const { outcome, requested, records } = await afterCrash(undefined, 8, 3);
    expect(outcome.counts).toMatchObject({ sent: 8, unknown: 0 });
    expect(requested).toHaveLength(8);
    expect(records.every((r) => r.status === 'sent' && !r.in_flight)).toBe(true);
  });
});
