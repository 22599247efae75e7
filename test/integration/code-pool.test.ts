import { addVouchers, releaseVoucher } from '../../src/campaigns/code-pool';
import { createCampaign, useServiceHarness } from '../helpers/harness';
import { eventually } from '../helpers/sdk';

describe('code pool: claims by sequence number', () => {
  const h = useServiceHarness('codepool');

  const publish = (body: Record<string, unknown>) =>
    h.sdk.client.distributions.publications.create(body as never) as Promise<{ id: string; voucher: { code: string } }>;
  const campaignDoc = async (id: string) => {
    const c = await h.t.ctx.models.Campaign.findById(id).lean();
    if (!c) throw new Error(`campaign ${id} missing`);
    return c;
  };

  it('claims codes in seq order by key, and claims a released code again by search once the cursor reaches the end', async () => {
    const c = await createCampaign(h.sdk, {
      name: 'Seq',
      type: 'STATIC',
      vouchers_count: 3,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const pool = await h.t.ctx.models.Voucher.find({ campaign_id: c.id }).sort({ seq: 1 }).lean();
    expect(pool.map((v) => v.seq)).toEqual([1, 2, 3]);

    const first = await publish({ campaign: c.name, customer: 'seq-1' });
    const second = await publish({ campaign: c.name, customer: 'seq-2' });
    expect([first.voucher.code, second.voucher.code]).toEqual([pool[0]?.code, pool[1]?.code]);
    expect((await campaignDoc(c.id)).claim_seq).toBe(2);

    // The first code goes back to the pool behind the cursor: the key path cannot reach it.
    const released = await h.t.ctx.models.Voucher.findOne({ code: first.voucher.code }).lean();
    await releaseVoucher(h.t.ctx.models, released?._id ?? '', released?.publication_id ?? '');
    const third = await publish({ campaign: c.name, customer: 'seq-3' });
    expect(third.voucher.code).toBe(pool[2]?.code);
    const fourth = await publish({ campaign: c.name, customer: 'seq-4' });
    expect(fourth.voucher.code).toBe(first.voucher.code);

    await expect(publish({ campaign: c.name, customer: 'seq-5' })).rejects.toMatchObject({
      key: 'no_voucher_suitable_for_publication',
    });
    expect((await campaignDoc(c.id)).claim_seq).toBe(3);
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: c.id, holder_id: { $exists: true } })).toBe(3);
  });

  it('steps over a disabled code and gives parallel publications distinct codes while AUTO_UPDATE grows the pool', async () => {
    const c = await createCampaign(h.sdk, {
      name: 'Seq grow',
      type: 'AUTO_UPDATE',
      vouchers_count: 10,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const disabled = await h.t.ctx.models.Voucher.findOneAndUpdate(
      { campaign_id: c.id, seq: 2 },
      { $set: { active: false } },
      { returnDocument: 'after' },
    ).lean();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => publish({ campaign: c.name, customer: `grow-${i}` })),
    );
    const codes = results.map((r) => r.voucher.code);
    expect(new Set(codes).size).toBe(30);
    expect(codes).not.toContain(disabled?.code);
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: c.id, holder_id: { $exists: true } })).toBe(30);
  });

  it('reserves seq ranges atomically, so concurrent generation never reuses a number', async () => {
    const c = await createCampaign(h.sdk, {
      name: 'Seq ranges',
      type: 'AUTO_UPDATE',
      vouchers_count: 1,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
    });
    const campaign = await campaignDoc(c.id);
    const added = await Promise.all([
      addVouchers(h.t.ctx.models, campaign, 150),
      addVouchers(h.t.ctx.models, campaign, 150),
      addVouchers(h.t.ctx.models, campaign, 150),
    ]);
    expect(added).toEqual([150, 150, 150]);
    const seqs = (await h.t.ctx.models.Voucher.find({ campaign_id: c.id }, { seq: 1 }).lean()).map((v) => v.seq);
    expect(seqs).toHaveLength(451);
    expect(new Set(seqs).size).toBe(451);
    expect(Math.max(...seqs.map((s) => s ?? 0))).toBeLessThanOrEqual((await campaignDoc(c.id)).seq_reserved ?? 0);
  });

  describe('batch publication (distribution batches)', () => {
    const customers = async (prefix: string, n: number) => {
      const docs = await Promise.all(
        Array.from({ length: n }, (_, i) => h.t.ctx.customers.upsert({ source_id: `${prefix}-${i}`, name: `C ${i}` })),
      );
      return docs.map((customer) => ({ customer, source_id: `${prefix}:${customer._id}` }));
    };

    it('gives each customer one distinct code, the same again on a repeat, and races on one batch never share or double a code', async () => {
      // Room for both racers to claim a code per customer: the loser of each publication gives its code back.
      const c = await createCampaign(h.sdk, {
        name: 'Batch',
        type: 'STATIC',
        vouchers_count: 80,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
      });
      const requests = await customers('batch', 40);
      const [a, b] = await Promise.all([
        h.t.ctx.publications.publishBatch(c.id, requests, 'test'),
        h.t.ctx.publications.publishBatch(c.id, requests, 'test'),
      ]);
      const codesOf = (r: typeof a) => requests.map((q) => r.published.get(q.customer._id)?.voucher.code);
      expect(codesOf(a)).toEqual(codesOf(b));
      expect(new Set(codesOf(a)).size).toBe(40);
      expect(codesOf(a)).not.toContain(undefined);

      const again = await h.t.ctx.publications.publishBatch(c.id, requests, 'test');
      expect(codesOf(again)).toEqual(codesOf(a));
      expect(await h.t.ctx.models.Publication.countDocuments({ campaign_id: c.id })).toBe(40);
      const held = await h.t.ctx.models.Voucher.find({ campaign_id: c.id, holder_id: { $exists: true } }).lean();
      expect(held).toHaveLength(40);
      // Each held code is tied to the publication that names it, and to its customer.
      const publications = new Map(
        (await h.t.ctx.models.Publication.find({ campaign_id: c.id }).lean()).map((p) => [p._id, p]),
      );
      for (const v of held)
        expect(publications.get(v.publication_id ?? '')).toMatchObject({ voucher_id: v._id, customer_id: v.holder_id });
      // One voucher.published per publication, naming its code.
      const events = await eventually(async () => {
        const found = await h.t.ctx.models.DomainEvent.find({
          type: 'voucher.published',
          'data.campaign.id': c.id,
        }).lean();
        return found.length >= 40 ? found : undefined;
      });
      expect(events).toHaveLength(40);
      expect(new Set(events.map((e) => (e.data as { voucher: { code: string } }).voucher.code))).toEqual(
        new Set(codesOf(a)),
      );
    });

    it('serves what a STATIC pool has, reports it exhausted and leaves no empty publication behind', async () => {
      const c = await createCampaign(h.sdk, {
        name: 'Batch static',
        type: 'STATIC',
        vouchers_count: 5,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
      });
      const requests = await customers('static', 8);
      const result = await h.t.ctx.publications.publishBatch(c.id, requests, 'test');
      expect(result.exhausted).toBe(true);
      expect(result.published.size).toBe(5);
      expect(await h.t.ctx.models.Publication.countDocuments({ campaign_id: c.id })).toBe(5);
      expect(
        await h.t.ctx.models.Publication.countDocuments({ campaign_id: c.id, voucher_id: { $exists: false } }),
      ).toBe(0);
    });

    it('grows an AUTO_UPDATE pool by what the batch still needs and steps over a disabled code', async () => {
      const c = await createCampaign(h.sdk, {
        name: 'Batch grow',
        type: 'AUTO_UPDATE',
        vouchers_count: 5,
        voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } },
      });
      const disabled = await h.t.ctx.models.Voucher.findOneAndUpdate(
        { campaign_id: c.id, seq: 3 },
        { $set: { active: false } },
        { returnDocument: 'after' },
      ).lean();
      const requests = await customers('grow', 50);
      const result = await h.t.ctx.publications.publishBatch(c.id, requests, 'test');
      expect(result.exhausted).toBe(false);
      const codes = [...result.published.values()].map((p) => p.voucher.code);
      expect(new Set(codes).size).toBe(50);
      expect(codes).not.toContain(disabled?.code);
    });
  });
});
