import request from 'supertest';
import { campaignGenerationWorkflowId } from '../../workflows/contracts/campaign-generation';
import { eventually } from '../helpers/sdk';
import { createCampaign, useServiceHarness } from '../helpers/harness';

interface VoucherJson {
  id: string;
  code: string;
  campaign: string | null;
  campaign_id: string;
  active: boolean;
  holder_id: string | null;
  object: 'voucher';
}
interface VoucherList {
  object: 'list';
  data_ref: 'vouchers';
  vouchers: VoucherJson[];
  total: number;
}

describe('vouchers and campaign lifecycle', () => {
  const h = useServiceHarness('vouchers');

  const campaign = (name: string, vouchers_count: number) =>
    createCampaign(h.sdk, {
      name,
      type: 'STATIC',
      vouchers_count,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 10 } },
    });
  const publish = (body: Record<string, unknown>) =>
    h.sdk.client.distributions.publications.create(body as never) as Promise<{
      id: string;
      voucher: { code: string; holder_id: string };
      customer_id: string;
    }>;
  const getVoucher = (code: string) => h.sdk.client.vouchers.get(code) as unknown as Promise<VoucherJson>;
  const listVouchers = (params: Record<string, unknown>) =>
    h.sdk.client.vouchers.list(params as never) as unknown as Promise<VoucherList>;

  it('gets a voucher by code and by id, and lists by campaign (name or id), campaign_id and customer', async () => {
    const c = await campaign('Listed', 5);
    const other = await campaign('Other', 3);
    const p = await publish({ campaign: c.name, customer: { source_id: 'list-1' } });

    const byCode = await getVoucher(p.voucher.code);
    expect(byCode).toMatchObject({
      object: 'voucher',
      code: p.voucher.code,
      campaign: 'Listed',
      campaign_id: c.id,
      active: true,
      holder_id: p.customer_id,
    });
    expect(await getVoucher(byCode.id)).toMatchObject({ id: byCode.id, code: p.voucher.code });

    const byName = await listVouchers({ campaign: 'Listed', limit: 2 });
    expect(byName).toMatchObject({ object: 'list', data_ref: 'vouchers', total: 5 });
    expect(byName.vouchers).toHaveLength(2);
    const page3 = await listVouchers({ campaign: c.id, limit: 2, page: 3 });
    expect(page3.vouchers).toHaveLength(1);
    expect((await listVouchers({ campaign_id: other.id })).total).toBe(3);
    expect((await listVouchers({ campaign: c.name, campaign_id: other.id })).total).toBe(0);

    const held = await listVouchers({ customer: p.customer_id });
    expect(held.vouchers.map((v) => v.code)).toEqual([p.voucher.code]);
    expect((await listVouchers({ customer: 'list-1' })).total).toBe(1);
    expect((await listVouchers({ customer: 'nobody' })).total).toBe(0);
    expect((await listVouchers({ limit: 100 })).total).toBeGreaterThanOrEqual(8);
  });

  it('disables and enables a voucher; publications skip a disabled free code', async () => {
    const c = await campaign('Switchable', 2);
    const codes = (await listVouchers({ campaign: c.name })).vouchers.map((v) => v.code);
    expect(codes).toHaveLength(2);
    const [off, on] = codes as [string, string];

    expect(await h.sdk.client.vouchers.disable(off)).toMatchObject({ code: off, active: false });
    expect((await getVoucher(off)).active).toBe(false);

    const p = await publish({ campaign: c.name, customer: 'sw-1' });
    expect(p.voucher.code).toBe(on);
    await expect(publish({ campaign: c.name, customer: 'sw-2' })).rejects.toMatchObject({
      code: 400,
      key: 'no_voucher_suitable_for_publication',
    });

    expect(await h.sdk.client.vouchers.enable(off)).toMatchObject({ code: off, active: true });
    expect((await publish({ campaign: c.name, customer: 'sw-2' })).voucher.code).toBe(off);
  });

  it('disables and enables a campaign; a disabled campaign refuses publications with campaign_inactive', async () => {
    const c = await campaign('Toggled', 3);
    expect(await h.sdk.client.campaigns.disable(c.id)).toMatchObject({ id: c.id, active: false });
    await expect(publish({ campaign: c.name, customer: 'tg-1' })).rejects.toMatchObject({
      code: 400,
      key: 'campaign_inactive',
    });
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: c.id, holder_id: { $exists: true } })).toBe(0);

    expect(await h.sdk.client.campaigns.enable(c.name)).toMatchObject({ id: c.id, active: true });
    expect((await publish({ campaign: c.name, customer: 'tg-1' })).voucher.code).toBeTruthy();
  });

  it('deletes a campaign with its free codes; published codes stay with their holders', async () => {
    const c = await campaign('Doomed', 4);
    const p = await publish({ campaign: c.name, customer: 'dm-1' });
    await h.sdk.client.campaigns.delete(c.name, { force: true });

    await expect(h.sdk.client.campaigns.get(c.id)).rejects.toMatchObject({ code: 404, key: 'not_found' });
    expect(await h.t.ctx.models.Voucher.countDocuments({ campaign_id: c.id })).toBe(1);
    expect(await getVoucher(p.voucher.code)).toMatchObject({
      code: p.voucher.code,
      campaign: null,
      campaign_id: c.id,
      holder_id: p.customer_id,
    });
    expect((await listVouchers({ campaign_id: c.id })).total).toBe(1);
    await expect(listVouchers({ campaign: c.name })).rejects.toMatchObject({ code: 404 });

    const res = await request(h.app).delete(`/v1/campaigns/${c.id}`).set(h.t.auth);
    expect(res.status).toBe(404);
  });

  it('deletes a campaign still generating its codes and stops the generation workflow', async () => {
    const created = (await h.sdk.client.campaigns.create({
      name: 'Big',
      type: 'STATIC',
      vouchers_count: 20_000,
      voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'PERCENT', percent_off: 1 } },
    } as never)) as unknown as { id: string };
    const res = await request(h.app).delete(`/v1/campaigns/${created.id}`).set(h.t.auth);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await h.t.ctx.models.Campaign.countDocuments({ _id: created.id })).toBe(0);
    const run = await h.t.ctx.temporal.workflow.getHandle(campaignGenerationWorkflowId(created.id)).describe();
    expect(['TERMINATED', 'COMPLETED']).toContain(run.status.name);
    // A generation step already running when the workflow stops notices the delete after its batch and removes what it added.
    const freeCodes = () =>
      h.t.ctx.models.Voucher.countDocuments({ campaign_id: created.id, holder_id: { $exists: false } });
    // Zero twice, two seconds apart: a batch in flight would show up in between.
    await eventually(
      async () => {
        const first = await freeCodes();
        await new Promise((r) => setTimeout(r, 2_000));
        return first === 0 && (await freeCodes()) === 0 ? true : undefined;
      },
      40_000,
      'no orphan free codes',
    );
  });

  it('updates a campaign; new dates reach unpublished codes only', async () => {
    const c = await campaign('Dated', 3);
    const p = await publish({ campaign: c.name, customer: 'dated-1' });
    const updated = (await h.sdk.client.campaigns.update(c.id, {
      description: 'Spring sale',
      expiration_date: '2030-01-01T00:00:00Z',
      metadata: { team: 'crm' },
    } as never)) as unknown as Record<string, unknown>;
    expect(updated).toMatchObject({
      id: c.id,
      description: 'Spring sale',
      expiration_date: '2030-01-01T00:00:00.000Z',
      metadata: { team: 'crm' },
    });
    const vouchers = await h.t.ctx.models.Voucher.find({ campaign_id: c.id }).lean();
    for (const v of vouchers) {
      if (v.code === p.voucher.code) expect(v.expiration_date).toBeUndefined();
      else expect(v.expiration_date?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    }
    const badDates = await request(h.app)
      .put(`/v1/campaigns/${c.id}`)
      .set(h.t.auth)
      .send({ start_date: '2031-01-01T00:00:00Z' });
    expect(badDates.status).toBe(400);
    expect(badDates.body.errors[0].field).toBe('expiration_date');
    const unknown = await request(h.app).put(`/v1/campaigns/${c.id}`).set(h.t.auth).send({ vouchers_count: 10 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('vouchers_count');
  });

  it('answers 404 for an unknown code and 400 for unknown query fields', async () => {
    for (const path of ['/v1/vouchers/NOPE-123', '/v1/vouchers/v_missing']) {
      const res = await request(h.app).get(path).set(h.t.auth);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 404, key: 'not_found', resource_type: 'voucher' });
    }
    for (const path of [
      '/v1/vouchers/NOPE-123/enable',
      '/v1/vouchers/NOPE-123/disable',
      '/v1/campaigns/nope/enable',
      '/v1/campaigns/nope/disable',
    ]) {
      expect((await request(h.app).post(path).set(h.t.auth)).status).toBe(404);
    }
    expect((await request(h.app).delete('/v1/campaigns/nope').set(h.t.auth)).status).toBe(404);

    const unknown = await request(h.app).get('/v1/vouchers?colour=red').set(h.t.auth);
    expect(unknown.status).toBe(400);
    expect((await request(h.app).get('/v1/vouchers?limit=0').set(h.t.auth)).status).toBe(400);
    expect((await request(h.app).delete('/v1/campaigns/x?force=maybe').set(h.t.auth)).status).toBe(400);
    await expect(h.sdk.client.vouchers.get('NOPE-123')).rejects.toMatchObject({ code: 404, key: 'not_found' });
  });
});
