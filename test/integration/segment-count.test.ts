import request from 'supertest';
import { useServiceHarness } from '../helpers/harness';

describe('POST /v1/segments/count: how many customers a filter matches, before saving', () => {
  const h = useServiceHarness('segcount');
  const vip = { junction: 'and', 'metadata.tier': { conditions: { $is: ['vip'] } } };

  beforeAll(async () => {
    for (const [i, tier] of ['vip', 'vip', 'basic', 'vip'].entries())
      await h.sdk.createCustomer({ source_id: `count-${i}`, metadata: { tier } });
  });

  it('counts the matching customers and saves nothing', async () => {
    const res = await request(h.app).post('/v1/segments/count').set(h.t.auth).send({ filter: vip });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ matching: 3, scanned: 4, complete: true });
    expect(await h.t.ctx.models.Segment.countDocuments()).toBe(0);
  });

  it('answers a lower bound when the scan limit is reached', async () => {
    const res = await request(h.app).post('/v1/segments/count').set(h.t.auth).send({ filter: vip, limit: 2 });
    const firstTwo = await h.t.ctx.models.Customer.find({}).sort({ _id: 1 }).limit(2).lean();
    const vipsAmongThem = firstTwo.filter((c) => (c.metadata as { tier?: string }).tier === 'vip').length;
    expect(res.body).toEqual({ matching: vipsAmongThem, scanned: 2, complete: false });
  });

  it('refuses an invalid filter with the field named, as segment creation does', async () => {
    const res = await request(h.app)
      .post('/v1/segments/count')
      .set(h.t.auth)
      .send({ filter: { junction: 'and', 'metadata.tier': { conditions: { $bogus: ['x'] } } } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toMatch(/^filter\.metadata\.tier/);
  });
});
