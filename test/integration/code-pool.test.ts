import { addVouchers, releaseVoucher } from '../../src/campaigns/code-pool';
import { createCampaign, useServiceHarness } from '../helpers/harness';

describe('code pool: claims by sequence number', () => {
  const h = useServiceHarness('codepool');

  const publish = (body: Record<string, unknown>) => h.sdk.client.distributions.publications.create(body as never) as Promise<{ id: string; voucher: { code: string } }>;
  const campaignDoc = async (id: string) => {
    const c = await h.t.ctx.models.Campaign.findById(id).lean();
    if (!c) throw new Error(`campaign ${id} missing`);
    return c;
  };

  it('claims codes in seq order by key, and claims a released code again by search once the cursor reaches the end', async () => {
    const c = await createCampaign(h.sdk, { name: 'Seq', type: 'STATIC', vouchers_count: 3, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
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

    await expect(publish({ campaign: c.name, customer: 'seq-5' })).rejects.toMatchObject({ key: 'no_voucher_suitable_for_publication' });
    expect((await campaignDoc(c.id)).claim_seq).toBe(3);
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: c.id, holder_id: { $exists: true } })).toBe(3);
  });

  it('steps over a disabled code and gives parallel publications distinct codes while AUTO_UPDATE grows the pool', async () => {
    const c = await createCampaign(h.sdk, { name: 'Seq grow', type: 'AUTO_UPDATE', vouchers_count: 10, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    const disabled = await h.t.ctx.models.Voucher.findOneAndUpdate({ campaign_id: c.id, seq: 2 }, { $set: { active: false } }, { returnDocument: 'after' }).lean();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => publish({ campaign: c.name, customer: `grow-${i}` })));
    const codes = results.map((r) => r.voucher.code);
    expect(new Set(codes).size).toBe(30);
    expect(codes).not.toContain(disabled?.code);
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: c.id, holder_id: { $exists: true } })).toBe(30);
  });

  it('reserves seq ranges atomically, so concurrent generation never reuses a number', async () => {
    const c = await createCampaign(h.sdk, { name: 'Seq ranges', type: 'AUTO_UPDATE', vouchers_count: 1, voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 5 } } });
    const campaign = await campaignDoc(c.id);
    const added = await Promise.all([addVouchers(h.t.ctx.models, campaign, 150), addVouchers(h.t.ctx.models, campaign, 150), addVouchers(h.t.ctx.models, campaign, 150)]);
    expect(added).toEqual([150, 150, 150]);
    const seqs = (await h.t.ctx.models.Voucher.find({ campaign_id: c.id }, { seq: 1 }).lean()).map((v) => v.seq);
    expect(seqs).toHaveLength(451);
    expect(new Set(seqs).size).toBe(451);
    expect(Math.max(...seqs.map((s) => s ?? 0))).toBeLessThanOrEqual((await campaignDoc(c.id)).seq_reserved ?? 0);
  });
});
