import { eventFires, type TriggeringEvent } from '../../src/distributions/trigger-match';
import type { DistributionDoc } from '../../src/models/distribution';
import { AUTOMATIC_TRIGGERS, AUTOMATIC_TRIGGER_TYPES, triggersForEvent } from '../../src/distributions/triggers';

type Fields = Pick<DistributionDoc, 'trigger' | 'status'>;
const active = (trigger: Fields['trigger']): Fields => ({ trigger, status: 'active' });

describe('eventFires', () => {
  const redeemed: TriggeringEvent = {
    type: 'customer.redemption.succeeded',
    customer_id: 'cust_1',
    data: { voucher: { id: 'v_1', code: 'A', campaign_id: 'camp_1' } },
  };

  it('fires a voucher trigger only for codes of its campaign', () => {
    expect(eventFires(active({ type: 'voucher_redeemed', campaign_id: 'camp_1' }), redeemed)).toBe(true);
    expect(eventFires(active({ type: 'voucher_redeemed', campaign_id: 'camp_2' }), redeemed)).toBe(false);
  });

  it('reads the campaign of a publication from its campaign reference', () => {
    const published: TriggeringEvent = {
      type: 'voucher.published',
      customer_id: 'cust_1',
      data: { voucher: { id: 'v_1', code: 'A' }, campaign: { id: 'camp_9' } },
    };
    expect(eventFires(active({ type: 'voucher_published', campaign_id: 'camp_9' }), published)).toBe(true);
    expect(eventFires(active({ type: 'voucher_published', campaign_id: 'camp_1' }), published)).toBe(false);
  });

  it('fires a segment trigger only for its segment and only for its direction', () => {
    const entered: TriggeringEvent = {
      type: 'customer.segment.entered',
      customer_id: 'cust_1',
      data: { segment: { id: 'seg_1' } },
    };
    expect(eventFires(active({ type: 'customer_entered_segment', segment_id: 'seg_1' }), entered)).toBe(true);
    expect(eventFires(active({ type: 'customer_entered_segment', segment_id: 'seg_2' }), entered)).toBe(false);
    expect(eventFires(active({ type: 'customer_left_segment', segment_id: 'seg_1' }), entered)).toBe(false);
  });

  it('fires an order trigger only for its status change', () => {
    const paid: TriggeringEvent = {
      type: 'customer.order.paid',
      customer_id: 'cust_1',
      data: { order: { id: 'ord_1' } },
    };
    expect(eventFires(active({ type: 'order_paid' }), paid)).toBe(true);
    expect(eventFires(active({ type: 'order_canceled' }), paid)).toBe(false);
    expect(eventFires(active({ type: 'order_created' }), paid)).toBe(false);
  });

  it('ignores paused, cancelled and manual distributions, and events without a customer', () => {
    const paid: TriggeringEvent = { type: 'customer.order.paid', customer_id: 'cust_1', data: {} };
    expect(eventFires({ trigger: { type: 'order_paid' }, status: 'paused' }, paid)).toBe(false);
    expect(eventFires({ trigger: { type: 'order_paid' }, status: 'cancelled' }, paid)).toBe(false);
    expect(eventFires({ trigger: { type: 'manual' }, status: 'active' }, paid)).toBe(false);
    expect(eventFires(active({ type: 'order_paid' }), { ...paid, customer_id: null })).toBe(false);
  });

  it('maps every automatic trigger to exactly one event type, and back', () => {
    for (const trigger of AUTOMATIC_TRIGGER_TYPES)
      expect(triggersForEvent(AUTOMATIC_TRIGGERS[trigger].event)).toContain(trigger);
    expect(AUTOMATIC_TRIGGER_TYPES).toHaveLength(13);
  });
});
