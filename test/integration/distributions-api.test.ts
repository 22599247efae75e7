import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { distributionWorkflowId, editUpdate } from '../../workflows/contracts/distribution';
import { domainErrorFromFailure } from '../../src/temporal/error-failure';
import {
  CampaignIdKey,
  DistributionIdKey,
  DistributionStatusKey,
  TriggerKey,
} from '../../workflows/contracts/search-attributes';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

// Response bodies are JSON whose shape each test asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('the distributions API', () => {
  const GRACE = 3_600;
  const h = useServiceHarness('distapi', { settings: { gracePeriodSeconds: GRACE } });

  async function api(
    method: string,
    path: string,
    body?: unknown,
    auth = true,
  ): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${h.sdk.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? h.t.auth : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  const webhook = {
    type: 'webhook',
    settings: { url: 'http://127.0.0.1:9/hook' },
    template: { text: 'Hello {{customer.name}}' },
  };
  let customerId: string;
  let segmentId: string;
  let campaignId: string;
  let ruledCampaignId: string;
  let consentId: string;

  beforeAll(async () => {
    const customer = await h.sdk.createCustomer({ source_id: 'dist-api-ann', name: 'Ann', email: 'ann@example.com' });
    customerId = customer.id;
    segmentId = (
      await h.sdk.client.segments.create({ name: 'Dist API static', type: 'static', customers: [customer.id] } as never)
    ).id;
    campaignId = (
      await createCampaign(h.sdk, {
        name: 'Dist API codes',
        type: 'AUTO_UPDATE',
        vouchers_count: 5,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
      })
    ).id;
    ruledCampaignId = (
      await createCampaign(h.sdk, {
        name: 'Dist API segment codes',
        type: 'AUTO_UPDATE',
        vouchers_count: 5,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 20 } },
      })
    ).id;
    const rule = await h.sdk.client.validationRules.create({
      name: 'only static members',
      rules: { '1': { name: 'customer.segment', conditions: { $is: [segmentId] } } },
    } as never);
    await h.sdk.client.validationRules.createAssignment(rule.id, { campaign: ruledCampaignId } as never);
    consentId = (await api('POST', '/v1/consents', { name: 'Newsletter' })).body.id;
  });

  const manual = (over: Record<string, unknown> = {}) => ({
    name: 'Spring sale',
    trigger: { type: 'manual' },
    purpose: { type: 'unique_code', campaign_id: campaignId },
    audience: { type: 'segment', segment_id: segmentId },
    channels: [webhook],
    ...over,
  });
  const automatic = (over: Record<string, unknown> = {}) => ({
    name: 'Welcome to the segment',
    trigger: { type: 'customer_entered_segment', segment_id: segmentId },
    purpose: { type: 'plain' },
    channels: [webhook],
    ...over,
  });
  const describeWorkflow = (id: string) => h.t.ctx.temporal.workflow.getHandle(distributionWorkflowId(id)).describe();

  it('creates a manual distribution to a segment, waiting for its audience with the default grace period, and starts workflow distribution-<id> with its search attributes', async () => {
    const created = await api(
      'POST',
      '/v1/distributions',
      manual({ consents: { required: [consentId] }, metadata: { team: 'growth' } }),
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: 'distribution',
      name: 'Spring sale',
      status: 'waiting_for_audience',
      trigger: { type: 'manual' },
      purpose: { type: 'unique_code', campaign_id: campaignId },
      audience: { type: 'segment', segment_id: segmentId },
      consents: { verification: true, required: [consentId] },
      channels: [
        {
          type: 'webhook',
          settings: { url: 'http://127.0.0.1:9/hook' },
          template: { text: 'Hello {{customer.name}}' },
        },
      ],
      grace_period_seconds: GRACE,
      metadata: { team: 'growth' },
      version: 1,
    });
    const id: string = created.body.id;
    expect(id).toMatch(/^distr_/);
    expect(await h.t.ctx.models.Distribution.countDocuments({ _id: id })).toBe(1);

    const wf = await describeWorkflow(id);
    expect(wf.workflowId).toBe(`distribution-${id}`);
    expect(wf.type).toBe('distributionWorkflow');
    expect(wf.taskQueue).toBe(h.t.ctx.taskQueue);
    expect(wf.typedSearchAttributes.get(DistributionIdKey)).toBe(id);
    expect(wf.typedSearchAttributes.get(CampaignIdKey)).toBe(campaignId);
    expect(wf.typedSearchAttributes.get(TriggerKey)).toBe('manual');
    expect(wf.typedSearchAttributes.get(DistributionStatusKey)).toBeDefined();
  });

  it('creates a manual distribution to one customer named by source_id, stores the customer id and its own grace period', async () => {
    const created = await api(
      'POST',
      '/v1/distributions',
      manual({
        name: 'Just Ann',
        purpose: { type: 'plain' },
        audience: { type: 'customer', customer_id: 'dist-api-ann' },
        grace_period_seconds: 7_200,
      }),
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      status: 'waiting_for_audience',
      audience: { type: 'customer', customer_id: customerId },
      grace_period_seconds: 7_200,
    });
    const wf = await describeWorkflow(created.body.id);
    expect(wf.typedSearchAttributes.get(CampaignIdKey)).toBeUndefined();
  });

  it('creates automatic distributions active, each with its lifecycle workflow: segment, campaign-scoped, order and campaign-segment-following triggers', async () => {
    const segment = await api('POST', '/v1/distributions', automatic());
    expect(segment.status).toBe(200);
    expect(segment.body).toMatchObject({
      status: 'active',
      audience: { type: 'trigger' },
      trigger: { type: 'customer_entered_segment', segment_id: segmentId },
      grace_period_seconds: null,
    });
    const lifecycle = await describeWorkflow(segment.body.id);
    expect(lifecycle).toMatchObject({ type: 'automaticDistributionWorkflow', status: { name: 'RUNNING' } });
    expect(lifecycle.typedSearchAttributes.get(TriggerKey)).toBe('customer_entered_segment');

    const redeemed = await api(
      'POST',
      '/v1/distributions',
      automatic({ name: 'Thanks', trigger: { type: 'voucher_redeemed', campaign_id: campaignId } }),
    );
    expect(redeemed.status).toBe(200);
    expect(redeemed.body.trigger).toEqual({ type: 'voucher_redeemed', campaign_id: campaignId });

    const paid = await api('POST', '/v1/distributions', automatic({ name: 'Paid', trigger: { type: 'order_paid' } }));
    expect(paid.status).toBe(200);
    expect(paid.body.trigger).toEqual({ type: 'order_paid' });

    const following = await api(
      'POST',
      '/v1/distributions',
      automatic({
        name: 'Follows',
        trigger: { type: 'customer_entered_segment', follow_campaign_segment: true },
        purpose: { type: 'unique_code', campaign_id: ruledCampaignId },
      }),
    );
    expect(following.status).toBe(200);
    expect(following.body.trigger).toEqual({
      type: 'customer_entered_segment',
      follow_campaign_segment: true,
      segment_id: segmentId,
    });
  });

  it('refuses each invalid distribution with a 400 naming the field, and writes nothing', async () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp?]> = [
      ['empty name', manual({ name: '  ' }), 'name'],
      ['manual without audience', manual({ audience: undefined }), 'audience'],
      [
        'unknown audience segment',
        manual({ audience: { type: 'segment', segment_id: 'seg_nope' } }),
        'audience.segment_id',
        /seg_nope not found/,
      ],
      [
        'unknown audience customer',
        manual({ audience: { type: 'customer', customer_id: 'nobody' } }),
        'audience.customer_id',
        /nobody not found/,
      ],
      ['grace period too long', manual({ grace_period_seconds: 604_801 }), 'grace_period_seconds'],
      ['automatic with an audience', automatic({ audience: { type: 'segment', segment_id: segmentId } }), 'audience'],
      ['automatic with a grace period', automatic({ grace_period_seconds: 60 }), 'grace_period_seconds'],
      [
        'segment trigger without a segment',
        automatic({ trigger: { type: 'customer_left_segment' } }),
        'trigger.segment_id',
      ],
      [
        'segment trigger with an unknown segment',
        automatic({ trigger: { type: 'customer_left_segment', segment_id: 'seg_nope' } }),
        'trigger.segment_id',
        /not found/,
      ],
      [
        'following the campaign segment without a unique_code purpose',
        automatic({ trigger: { type: 'customer_entered_segment', follow_campaign_segment: true } }),
        'trigger.follow_campaign_segment',
      ],
      [
        'following the segment of a campaign without a segment rule',
        automatic({
          trigger: { type: 'customer_entered_segment', follow_campaign_segment: true },
          purpose: { type: 'unique_code', campaign_id: campaignId },
        }),
        'trigger.follow_campaign_segment',
        /do not restrict it to one segment/,
      ],
      [
        'campaign trigger without a campaign',
        automatic({ trigger: { type: 'voucher_published' } }),
        'trigger.campaign_id',
      ],
      [
        'campaign trigger with an unknown campaign',
        automatic({ trigger: { type: 'voucher_published', campaign_id: 'camp_nope' } }),
        'trigger.campaign_id',
        /camp_nope not found/,
      ],
      [
        'order trigger with a segment',
        automatic({ trigger: { type: 'order_created', segment_id: segmentId } }),
        'trigger.segment_id',
      ],
      ['unknown trigger type', automatic({ trigger: { type: 'moon_rose' } }), 'trigger.type'],
      [
        'unique_code purpose with an unknown campaign',
        manual({ purpose: { type: 'unique_code', campaign_id: 'camp_nope' } }),
        'purpose.campaign_id',
        /camp_nope not found/,
      ],
      [
        'promotion purpose',
        manual({ purpose: { type: 'promotion', promotion_tier_id: 'promo_1' } }),
        'purpose.promotion_tier_id',
        /^promotion tier promo_1 not found$/,
      ],
      [
        'unknown consent',
        manual({ consents: { verification: true, required: ['cnst_nope'] } }),
        'consents.required',
        /cnst_nope/,
      ],
      ['no channel', manual({ channels: [] }), 'channels'],
      [
        'unknown channel type',
        manual({ channels: [{ type: 'pigeon', template: { text: 'coo' } }] }),
        'channels.0.type',
        /unknown channel type pigeon/,
      ],
      [
        'invalid channel settings',
        manual({ channels: [{ type: 'webhook', settings: {}, template: { text: 'hi' } }] }),
        'channels.0.settings',
        /url is required/,
      ],
      [
        'email template without a subject',
        manual({ channels: [webhook, { type: 'email', template: { html: '<p>hi</p>' } }] }),
        'channels.1.template.subject',
      ],
      [
        'template with an unknown variable',
        manual({ channels: [{ ...webhook, template: { text: 'Hi {{customer.nmae}}' } }] }),
        'channels.0.template.text',
        /unknown variable "customer.nmae"/,
      ],
    ];
    const before = await h.t.ctx.models.Distribution.countDocuments();
    for (const [what, body, field, reason] of cases) {
      const res = await api('POST', '/v1/distributions', body);
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      const errors: Array<{ field: string; reason: string }> = res.body.errors;
      const hit = errors.find((e) => e.field === field);
      expect({ what, fields: errors.map((e) => e.field) }).toEqual({ what, fields: expect.arrayContaining([field]) });
      if (reason) expect(hit?.reason).toMatch(reason);
    }
    expect(await h.t.ctx.models.Distribution.countDocuments()).toBe(before);
  });

  it('lists distributions filtered by status and trigger, pages them, and gets one by id', async () => {
    const a = (
      await api('POST', '/v1/distributions', automatic({ name: 'List A', trigger: { type: 'order_created' } }))
    ).body;
    const b = (
      await api('POST', '/v1/distributions', automatic({ name: 'List B', trigger: { type: 'order_created' } }))
    ).body;
    await api('POST', `/v1/distributions/${a.id}/pause`);

    const orderCreated = await api('GET', '/v1/distributions?trigger=order_created');
    expect(orderCreated.status).toBe(200);
    expect(orderCreated.body).toMatchObject({ object: 'list', data_ref: 'data', total: 2 });
    expect(orderCreated.body.data.map((d: Json) => d.id)).toEqual([b.id, a.id]);

    const paused = await api('GET', '/v1/distributions?trigger=order_created&status=paused');
    expect(paused.body.data.map((d: Json) => d.id)).toEqual([a.id]);

    const manualOnes = await api('GET', '/v1/distributions?trigger=manual');
    expect(manualOnes.body.total).toBeGreaterThanOrEqual(2);
    expect(manualOnes.body.data.every((d: Json) => d.trigger.type === 'manual')).toBe(true);

    const page = await api('GET', '/v1/distributions?limit=1&page=2&trigger=order_created');
    expect(page.body.data.map((d: Json) => d.id)).toEqual([a.id]);
    expect(page.body.has_more).toBe(false);

    expect(await api('GET', '/v1/distributions?status=bogus')).toMatchObject({ status: 400 });
    const got = await api('GET', `/v1/distributions/${b.id}`);
    expect(got.body).toMatchObject({ id: b.id, name: 'List B', object: 'distribution', status: 'active' });
    expect(got.body.progress).toBeUndefined();
    expect(await api('GET', '/v1/distributions/distr_nope')).toMatchObject({ status: 404, body: { key: 'not_found' } });
  });

  it('pauses, resumes and cancels an automatic distribution; a cancelled one is final', async () => {
    const { id } = (await api('POST', '/v1/distributions', automatic({ name: 'Lifecycle' }))).body;
    expect((await api('POST', `/v1/distributions/${id}/pause`)).body).toMatchObject({ status: 'paused', version: 2 });
    expect((await api('POST', `/v1/distributions/${id}/pause`)).body).toMatchObject({ status: 'paused', version: 2 });
    expect((await api('POST', `/v1/distributions/${id}/resume`)).body).toMatchObject({ status: 'active', version: 3 });
    expect((await api('POST', `/v1/distributions/${id}/cancel`, { reason: 'campaign over' })).body).toMatchObject({
      status: 'cancelled',
      status_reason: 'campaign over',
    });
    expect((await h.t.ctx.models.Distribution.findById(id).lean())?.status).toBe('cancelled');

    for (const action of ['resume', 'pause', 'cancel'])
      expect((await api('POST', `/v1/distributions/${id}/${action}`)).status).toBe(409);
    expect((await api('PUT', `/v1/distributions/${id}`, { name: 'Too late' })).status).toBe(409);
    expect((await api('POST', `/v1/distributions/${id}/send_now`)).status).toBe(409);
  });

  it('edits an automatic distribution directly, bumping the version, and refuses an invalid edit without writing', async () => {
    const { id } = (await api('POST', '/v1/distributions', automatic({ name: 'Before edit' }))).body;
    const edited = await api('PUT', `/v1/distributions/${id}`, {
      name: 'After edit',
      consents: { verification: false, required: [] },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      name: 'After edit',
      consents: { verification: false, required: [] },
      version: 2,
    });

    const invalid = await api('PUT', `/v1/distributions/${id}`, {
      audience: { type: 'segment', segment_id: segmentId },
      channels: [{ type: 'pigeon', template: {} }],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: Json) => e.field)).toEqual(
      expect.arrayContaining(['audience', 'channels.0.type']),
    );
    expect(await h.t.ctx.models.Distribution.findById(id).lean()).toMatchObject({ name: 'After edit', version: 2 });
  });

  it('refuses pause of a manual distribution with a 400, and its resume with a 409 unless it stopped for pool_exhausted', async () => {
    const { id } = (
      await api('POST', '/v1/distributions', manual({ name: 'Not pausable', grace_period_seconds: GRACE }))
    ).body;
    expect(await api('POST', `/v1/distributions/${id}/pause`)).toMatchObject({
      status: 400,
      body: { key: 'not_automatic' },
    });
    expect(await api('POST', `/v1/distributions/${id}/resume`)).toMatchObject({
      status: 409,
      body: { key: 'distribution_not_resumable' },
    });
  });

  it('edits a manual distribution during its grace period, refusing an invalid edit with the same 400 as create', async () => {
    const { id } = (await api('POST', '/v1/distributions', manual({ name: 'Editable' }))).body;
    const edited = await api('PUT', `/v1/distributions/${id}`, { name: 'Edited in grace' });
    expect(edited.status).toBe(200);
    expect(edited.body.name).toBe('Edited in grace');
    expect((await h.t.ctx.models.Distribution.findById(id).lean())?.name).toBe('Edited in grace');

    const invalid = await api('PUT', `/v1/distributions/${id}`, {
      audience: { type: 'segment', segment_id: 'seg_nope' },
    });
    expect(invalid).toMatchObject({
      status: 400,
      body: {
        key: 'invalid_distribution',
        errors: [{ field: 'audience.segment_id', reason: 'segment seg_nope not found' }],
      },
    });
    expect((await h.t.ctx.models.Distribution.findById(id).lean())?.audience).toEqual({
      type: 'segment',
      segment_id: segmentId,
    });
  });

  it("shows a running manual distribution's progress, and maps an edit the workflow's activity refuses back to the API's 400", async () => {
    const { id } = (await api('POST', '/v1/distributions', manual({ name: 'In grace' }))).body;
    const got = await eventually(
      async () => {
        const res = await api('GET', `/v1/distributions/${id}`);
        return res.body.progress?.status === 'scheduled' ? res.body : undefined;
      },
      20_000,
      'progress scheduled',
    );
    expect(got.progress).toMatchObject({ status: 'scheduled', batches_done: 0 });
    expect(Date.parse(got.progress.send_at) - Date.now()).toBeGreaterThan((GRACE - 60) * 1000);

    // Straight to the workflow, past the API's own check: the activity's refusal carries the API error.
    const refused = await h.t.ctx.temporal.workflow
      .getHandle(distributionWorkflowId(id))
      .executeUpdate(editUpdate, { args: [{ channels: [{ type: 'pigeon', template: {} }] }] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const mapped = domainErrorFromFailure(refused);
    expect(mapped).toMatchObject({
      kind: 'invalid',
      key: 'invalid_distribution',
      extra: { errors: [{ field: 'channels.0.type' }] },
    });

    const edited = await api('PUT', `/v1/distributions/${id}`, { name: 'Renamed in grace' });
    expect(edited.body).toMatchObject({ name: 'Renamed in grace', status: 'scheduled' });
    expect(await h.t.ctx.models.Distribution.findById(id).lean()).toMatchObject({
      name: 'Renamed in grace',
      version: 2,
    });
  });

  it('sends now: the grace period ends at once and the run completes, here skipping a customer without the required consent', async () => {
    const { id } = (
      await api(
        'POST',
        '/v1/distributions',
        manual({
          name: 'Now',
          purpose: { type: 'plain' },
          audience: { type: 'customer', customer_id: customerId },
          consents: { verification: true, required: [consentId] },
        }),
      )
    ).body;
    expect((await api('POST', `/v1/distributions/${id}/send_now`)).status).toBe(200);
    const done = await eventually(
      async () => {
        const d = await h.t.ctx.models.Distribution.findById(id).lean();
        return d?.status === 'completed' ? d : undefined;
      },
      30_000,
      'completed',
    );
    expect(done.started_at).toBeInstanceOf(Date);
    const report = await api('GET', `/v1/distributions/${id}/report`);
    expect(report.body).toMatchObject({
      recipients_count: 1,
      totals: { skipped: 1, sent: 0 },
      channels: [{ type: 'webhook', index: 0, skipped: 1, reasons: { missing_consent: 1 } }],
    });
    expect((await api('POST', `/v1/distributions/${id}/send_now`)).status).toBe(409);
    expect((await api('PUT', `/v1/distributions/${id}`, { name: 'Too late' })).status).toBe(409);
  });

  it('cancels a manual distribution in its grace period; it ends cancelled and can no longer be sent', async () => {
    const { id } = (await api('POST', '/v1/distributions', manual({ name: 'To cancel' }))).body;
    expect((await api('POST', `/v1/distributions/${id}/cancel`)).status).toBe(200);
    await eventually(
      async () => ((await h.t.ctx.models.Distribution.findById(id).lean())?.status === 'cancelled' ? true : undefined),
      15_000,
      'cancelled',
    );
    expect((await api('POST', `/v1/distributions/${id}/send_now`)).status).toBe(409);
    expect((await api('POST', `/v1/distributions/${id}/cancel`)).status).toBe(409);
  });

  it('refuses variables the distribution cannot fill, naming the field and line, on create and on edit', async () => {
    const before = await h.t.ctx.models.Distribution.countDocuments();
    const plainWithCode = await api(
      'POST',
      '/v1/distributions',
      manual({
        purpose: { type: 'plain' },
        channels: [{ ...webhook, template: { text: 'Hi\nYour code {{voucher.code}}' } }],
      }),
    );
    expect(plainWithCode.status).toBe(400);
    expect(plainWithCode.body.errors).toEqual([
      {
        field: 'channels.0.template.text',
        line: 2,
        reason: expect.stringContaining('voucher.* has no value in a manual plain distribution'),
      },
    ]);
    const orderInSegmentTrigger = await api(
      'POST',
      '/v1/distributions',
      automatic({ channels: [{ ...webhook, template: { text: '{{order.amount}} {{promotion.name}}' } }] }),
    );
    expect(orderInSegmentTrigger.status).toBe(400);
    expect(orderInSegmentTrigger.body.errors.map((e: Json) => e.reason)).toEqual([
      expect.stringContaining('order.* has no value'),
      expect.stringContaining('promotion.* has no value'),
    ]);
    // A CRM channel without fields writes voucher.code: nothing to write in a plain distribution.
    const crm = await api(
      'POST',
      '/v1/distributions',
      automatic({ channels: [{ type: 'braze', channel_id: 'chan_nosuch', settings: {}, template: { text: 'x' } }] }),
    );
    expect(crm.body.errors).toEqual(
      expect.arrayContaining([
        {
          field: 'channels.0.settings.fields',
          reason: expect.stringContaining('without fields the channel writes promo_code = voucher.code'),
        },
      ]),
    );
    expect(await h.t.ctx.models.Distribution.countDocuments()).toBe(before);

    const { id } = (await api('POST', '/v1/distributions', automatic({ name: 'Edited badly' }))).body;
    const edit = await api('PUT', `/v1/distributions/${id}`, {
      channels: [{ ...webhook, template: { text: '{{reward.name}}' } }],
    });
    expect(edit.status).toBe(400);
    expect(edit.body.errors).toEqual([
      {
        field: 'channels.0.template.text',
        line: 1,
        reason: expect.stringContaining(
          'reward.* has no value in a plain distribution triggered by customer_entered_segment: it needs the reward_redeemed trigger',
        ),
      },
    ]);
    expect((await h.t.ctx.models.Distribution.findById(id).lean())?.version).toBe(1);
  });

  it('reports message counts per channel, status and reason from the message records', async () => {
    const { id, name } = (
      await api(
        'POST',
        '/v1/distributions',
        automatic({
          name: 'Reported',
          channels: [webhook, { ...webhook, settings: { url: 'http://127.0.0.1:9/other' } }],
        }),
      )
    ).body;
    const now = new Date();
    const msg = (customer: string, index: number, status: string, reason?: string) => ({
      _id: `msg_${id}.run1.${customer}.${index}`,
      distribution_id: id,
      run: 'run1',
      customer_id: customer,
      channel_index: index,
      channel_type: 'webhook',
      status,
      ...(reason ? { reason } : {}),
      attempts: 1,
      created_at: now,
      updated_at: now,
    });
    await h.t.ctx.models.DistributionMessage.insertMany([
      msg('c1', 0, 'sent'),
      msg('c2', 0, 'sent'),
      msg('c3', 0, 'skipped', 'missing_consent'),
      msg('c4', 0, 'skipped', 'missing_consent'),
      msg('c5', 0, 'skipped', 'unsubscribed'),
      msg('c1', 1, 'failed', 'permanent_error'),
      msg('c2', 1, 'queued'),
      { ...msg('c9', 0, 'sent'), _id: 'msg_other', distribution_id: 'distr_other' },
    ]);
    const report = await api('GET', `/v1/distributions/${id}/report`);
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      distribution: { id, name, status: 'active', status_reason: null },
      recipients_count: 5,
      totals: { queued: 1, sent: 2, skipped: 3, failed: 1, unknown: 0 },
      channels: [
        {
          type: 'webhook',
          index: 0,
          queued: 0,
          sent: 2,
          skipped: 3,
          failed: 0,
          unknown: 0,
          reasons: { missing_consent: 2, unsubscribed: 1 },
        },
        {
          type: 'webhook',
          index: 1,
          queued: 1,
          sent: 0,
          skipped: 0,
          failed: 1,
          unknown: 0,
          reasons: { permanent_error: 1 },
        },
      ],
    });

    // The list gives every row its totals in the same answer: another distribution's messages stay its own.
    const other = (await api('POST', '/v1/distributions', automatic({ name: 'Reported none' }))).body;
    const listed = await api('GET', '/v1/distributions?name=Reported');
    expect(listed.status).toBe(200);
    const totalsOf = new Map(listed.body.data.map((d: Json) => [d.id, d.totals]));
    expect(totalsOf.get(id)).toEqual({ queued: 1, sent: 2, skipped: 3, failed: 1, unknown: 0 });
    expect(totalsOf.get(other.id)).toEqual({ queued: 0, sent: 0, skipped: 0, failed: 0, unknown: 0 });

    const skipped = await api('GET', `/v1/distributions/${id}/messages?status=skipped`);
    expect(skipped.body).toMatchObject({ object: 'list', total: 3 });
    expect(skipped.body.data.every((m: Json) => m.object === 'distribution_message' && m.status === 'skipped')).toBe(
      true,
    );
    const ofC1 = await api('GET', `/v1/distributions/${id}/messages?customer_id=c1`);
    expect(ofC1.body.data.map((m: Json) => m.channel_index).sort()).toEqual([0, 1]);
    expect((await api('GET', `/v1/distributions/${id}/messages?channel_type=email`)).body.total).toBe(0);
    expect((await api('GET', `/v1/distributions/${id}/messages?limit=2`)).body).toMatchObject({
      total: 7,
      has_more: true,
    });
  });

  it('restarts the workflow of a manual distribution that a crash left without one', async () => {
    const { id } = (await api('POST', '/v1/distributions', automatic({ name: 'Orphan' }))).body;
    // A manual distribution written but never started: as if the process died between the two.
    const orphan = `${id}_manual`;
    const old = new Date(Date.now() - 60_000);
    await h.t.ctx.models.Distribution.create(
      [
        {
          _id: orphan,
          name: 'Orphan',
          trigger: { type: 'manual' },
          purpose: { type: 'plain' },
          audience: { type: 'customer', customer_id: customerId },
          consents: { verification: true, required: [] },
          channels: [webhook],
          status: 'scheduled',
          grace_period_seconds: GRACE,
          metadata: {},
          version: 1,
          created_at: old,
          updated_at: old,
        },
      ],
      { timestamps: false },
    );
    await expect(describeWorkflow(orphan)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await h.t.ctx.distributions.reconcile();
    expect((await describeWorkflow(orphan)).typedSearchAttributes.get(DistributionIdKey)).toBe(orphan);
  });

  it('documents every distributions route in the OpenAPI spec, from the same schemas that validate', async () => {
    const spec: Json = await (await fetch(`${h.sdk.url}/openapi.json`)).json();
    const paths = Object.keys(spec.paths).filter((p) => p.startsWith('/v1/distributions'));
    expect(paths.sort()).toEqual([
      '/v1/distributions',
      '/v1/distributions/{id}',
      '/v1/distributions/{id}/cancel',
      '/v1/distributions/{id}/messages',
      '/v1/distributions/{id}/pause',
      '/v1/distributions/{id}/report',
      '/v1/distributions/{id}/resume',
      '/v1/distributions/{id}/send_now',
    ]);
    expect(Object.keys(spec.paths['/v1/distributions']).sort()).toEqual(['get', 'post']);
    const listItem = JSON.stringify(spec.paths['/v1/distributions'].get.responses['200'].content['application/json']);
    expect(listItem).toContain('"totals"');
    expect(Object.keys(spec.paths['/v1/distributions/{id}']).sort()).toEqual(['get', 'put']);
    // The operator's controls answer 200 with what the workflow recorded, or 202 with a *_requested flag.
    for (const [action, flag] of [
      ['cancel', 'cancel_requested'],
      ['send_now', 'send_now_requested'],
      ['resume', 'resume_requested'],
    ]) {
      const responses = spec.paths[`/v1/distributions/{id}/${action}`].post.responses;
      expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '202', '409']));
      expect(JSON.stringify(responses['202'].content['application/json'].schema)).toContain(flag);
    }
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/campaigns/{id}/vouchers', '/v1/campaigns/{id}/vouchers/{code}']),
    );
    const channel = JSON.stringify(spec.paths['/v1/distributions'].post.requestBody.content['application/json'].schema);
    expect(channel).toContain('at_most_once');
    expect(channel).toContain('notify_emails');
  });

  it('answers 401 without credentials', async () => {
    expect((await api('GET', '/v1/distributions', undefined, false)).status).toBe(401);
    expect((await api('POST', '/v1/distributions', manual(), false)).status).toBe(401);
  });
});
