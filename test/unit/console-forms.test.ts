import {
  channelToBody,
  fromDistribution,
  initialValues,
  newChannel,
  stepOfField,
  toCreateBody,
  toEditBody,
  type WizardValues,
} from '../../console/src/pages/distributions/wizard/form';
import { fromFilter, newRow, toFilter } from '../../console/src/pages/segments/filter';
import type { Distribution } from '../../console/src/api/types';
import { fieldLabel } from '../../console/src/components/field-label';

describe("the console wizard's mapping to the distributions API", () => {
  it('puts each API field on the step that holds it', () => {
    expect(stepOfField('trigger.type')).toBe(0);
    expect(stepOfField('trigger')).toBe(0);
    // A trigger's options are chosen with the audience, on the conditions step.
    expect(stepOfField('trigger.segment_id')).toBe(1);
    expect(stepOfField('trigger.follow_campaign_segment')).toBe(1);
    expect(stepOfField('name')).toBe(1);
    expect(stepOfField('purpose.campaign_id')).toBe(1);
    expect(stepOfField('audience.segment_id')).toBe(1);
    expect(stepOfField('grace_period_seconds')).toBe(1);
    expect(stepOfField('consents.required.0')).toBe(2);
    expect(stepOfField('channels.0.template.text')).toBe(3);
    expect(stepOfField('channels')).toBe(3);
    expect(stepOfField('metadata.x')).toBeUndefined();
    // A prefix match is by path segment, not by text.
    expect(stepOfField('names')).toBeUndefined();
  });

  it('builds a manual create body with the audience, the grace period and each channel’s template', () => {
    const v: WizardValues = {
      ...initialValues,
      name: 'Spring',
      purpose: { type: 'unique_code', campaign_id: 'camp_1', promotion_tier_id: '' },
      audience: { type: 'segment', segment_id: 'seg_1', customer_id: '' },
      grace_period_seconds: 5,
      channels: [
        { ...newChannel('webhook'), url: 'http://hooks.example/x', body: '{{ voucher.code }}' },
        { ...newChannel('email'), subject: 'Hi', body: '<p>x</p>' },
      ],
    };
    expect(toCreateBody(v)).toEqual({
      name: 'Spring',
      trigger: { type: 'manual' },
      purpose: { type: 'unique_code', campaign_id: 'camp_1' },
      audience: { type: 'segment', segment_id: 'seg_1' },
      consents: { verification: true, required: [] },
      channels: [
        { type: 'webhook', settings: { url: 'http://hooks.example/x' }, template: { text: '{{ voucher.code }}' } },
        { type: 'email', template: { subject: 'Hi', html: '<p>x</p>' } },
      ],
      grace_period_seconds: 5,
    });
  });

  it('sends no audience or grace period for automatic triggers, and the trigger’s own option', () => {
    const segment = toCreateBody({
      ...initialValues,
      trigger: {
        type: 'customer_entered_segment',
        segment_id: 'seg_2',
        campaign_id: '',
        follow_campaign_segment: false,
      },
      grace_period_seconds: 30,
    });
    expect(segment.trigger).toEqual({ type: 'customer_entered_segment', segment_id: 'seg_2' });
    expect(segment).not.toHaveProperty('audience');
    expect(segment).not.toHaveProperty('grace_period_seconds');
    const follow = toCreateBody({
      ...initialValues,
      trigger: { type: 'customer_left_segment', segment_id: 'seg_2', campaign_id: '', follow_campaign_segment: true },
    });
    expect(follow.trigger).toEqual({ type: 'customer_left_segment', follow_campaign_segment: true });
    const order = toCreateBody({
      ...initialValues,
      trigger: { type: 'order_paid', segment_id: 'x', campaign_id: 'y', follow_campaign_segment: false },
      purpose: { type: 'plain', campaign_id: 'z', promotion_tier_id: '' },
    });
    expect(order.trigger).toEqual({ type: 'order_paid' });
    expect(order.purpose).toEqual({ type: 'plain' });
  });

  it('round-trips a saved distribution into the edit body', () => {
    const d = {
      id: 'dist_1',
      name: 'Saved',
      trigger: { type: 'manual' },
      purpose: { type: 'unique_code', campaign_id: 'camp_1' },
      audience: { type: 'customer', customer_id: 'cust_1' },
      consents: { verification: false, required: [] },
      channels: [{ type: 'webhook', settings: { url: 'http://hooks.example/y' }, template: { text: 'T' } }],
      grace_period_seconds: 60,
    } as unknown as Distribution;
    expect(toEditBody(fromDistribution(d))).toEqual({
      name: 'Saved',
      audience: { type: 'customer', customer_id: 'cust_1' },
      consents: { verification: false, required: [] },
      channels: [{ type: 'webhook', settings: { url: 'http://hooks.example/y' }, template: { text: 'T' } }],
    });
  });
});

describe("the console's segment filter builder", () => {
  it("writes Voucherify's filter shape, numbers for comparisons, no value for presence operators", () => {
    const rows = [
      { ...newRow(), field: 'metadata', metadataKey: 'tier', operator: '$is', value: 'vip' },
      { ...newRow(), field: 'summary.orders.total_count', metadataKey: '', operator: '$more_than', value: '3' },
      { ...newRow(), field: 'email', metadataKey: '', operator: '$has_value', value: 'ignored' },
    ];
    const filter = toFilter('or', rows);
    expect(filter).toEqual({
      junction: 'or',
      'metadata.tier': { conditions: { $is: ['vip'] } },
      'summary.orders.total_count': { conditions: { $more_than: [3] } },
      email: { conditions: { $has_value: [] } },
    });
    const back = fromFilter(filter);
    expect(back.junction).toBe('or');
    expect(
      back.rows.map(({ field, metadataKey, operator, value }) => ({ field, metadataKey, operator, value })),
    ).toEqual([
      { field: 'metadata', metadataKey: 'tier', operator: '$is', value: 'vip' },
      { field: 'summary.orders.total_count', metadataKey: '', operator: '$more_than', value: '3' },
      { field: 'email', metadataKey: '', operator: '$has_value', value: '' },
    ]);
  });
});

describe("the console's names for the API's fields", () => {
  it('reads an error path as a person would, numbering list items from 1', () => {
    expect(fieldLabel('name')).toBe('Name');
    expect(fieldLabel('channels.0.template.text')).toBe('Channel 1 › template › text');
    expect(fieldLabel('voucher.discount.percent_off')).toBe('Voucher › discount › percent off');
    expect(fieldLabel('promotion.tiers.1.banner')).toBe('Promotion › tier 2 › banner');
    expect(fieldLabel('mjml')).toBe('MJML');
    expect(fieldLabel('channels.0.template.html')).toBe('Channel 1 › template › HTML');
    expect(fieldLabel('settings.webhook_url')).toBe('Settings › webhook URL');
  });
});

describe("the wizard's saved-template choice", () => {
  it('sends template_id instead of an inline template, and reads it back from a saved distribution', () => {
    const c = { ...newChannel('email'), template_id: 'tpl_1' };
    expect(channelToBody(c)).toEqual({ type: 'email', template_id: 'tpl_1' });
    expect(channelToBody({ ...c, template_id: '' })).toEqual({
      type: 'email',
      template: { subject: c.subject, html: c.body },
    });
    const d = {
      name: 'By template',
      trigger: { type: 'manual' },
      purpose: { type: 'plain' },
      audience: { type: 'customer', customer_id: 'cust_1' },
      consents: { verification: true, required: [] },
      channels: [{ type: 'email', template_id: 'tpl_1' }],
    } as unknown as Distribution;
    expect(toEditBody(fromDistribution(d)).channels).toEqual([{ type: 'email', template_id: 'tpl_1' }]);
  });
});
