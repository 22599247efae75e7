import { newId } from '../../src/ids';
import { stopForEventPoolExhausted } from '../../src/distributions/stop';
import { createTestContext, type TestContext } from '../helpers/context';

/**
 * An event's delivery finds its automatic distribution's STATIC pool empty while the
 * distribution's lifecycle workflow is gone (ended between the routing and the delivery): the
 * delivery records the stop itself, once, however often the activity is retried.
 */
describe('pool exhausted with no lifecycle workflow', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext('pool_fallback');
  });
  afterAll(async () => t?.close());

  it('records the skip and the stop, and tells the operator once across retries', async () => {
    const { models } = t.ctx;
    const id = newId('distr');
    await models.Distribution.create({
      _id: id,
      name: 'Fallback stop',
      trigger: { type: 'order_paid' },
      purpose: { type: 'unique_code', campaign_id: 'camp_fallback' },
      audience: { type: 'trigger' },
      consents: { verification: false, required: [] },
      channels: [{ type: 'webhook', settings: { url: 'https://example.test/hook' }, template: { text: 'x' } }],
      status: 'active',
      grace_period_seconds: 0,
      metadata: {},
      version: 1,
    });
    const run = { distributionId: id, eventId: 'evt_fallback_1', customerId: 'cust_fallback_1' };

    const first = await stopForEventPoolExhausted(t.ctx, run, 'camp_fallback');
    const retry = await stopForEventPoolExhausted(t.ctx, run, 'camp_fallback');

    expect(first).toEqual({ signalled: false });
    expect(retry).toEqual({ signalled: false });
    const d = await models.Distribution.findById(id).lean();
    expect(d).toMatchObject({ status: 'stopped', status_reason: 'pool_exhausted' });
    const records = await models.DistributionMessage.find({ distribution_id: id }).lean();
    expect(records.map((r) => [r.customer_id, r.status, r.reason])).toEqual([
      ['cust_fallback_1', 'skipped', 'pool_exhausted'],
    ]);
    const stopLines = t.logs.lines.filter((l) => l.includes('campaign code pool exhausted') && l.includes(id));
    const noticeLines = t.logs.lines.filter((l) => l.includes('operator notice only logged'));
    expect(stopLines).toHaveLength(1);
    expect(noticeLines).toHaveLength(1);
  });
});
