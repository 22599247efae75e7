import { toVoucherJson } from '../campaigns/voucher-json';
import type { CampaignService } from '../campaigns/campaign-service';
import { DomainError } from '../errors';
import type { Models } from '../models';
import type { VoucherDoc } from '../models/voucher';
import { findPage } from '../db/find-page';

export type VoucherJson = Omit<ReturnType<typeof toVoucherJson>, 'campaign'> & { campaign: string | null };

export interface VoucherListQuery {
  limit: number;
  page: number;
  /** Campaign name or id. */
  campaign?: string;
  campaign_id?: string;
  /** Holder: customer id, or a source_id. */
  customer?: string;
}

/** Reads vouchers and switches them on and off; codes themselves come from campaigns. */
export class VoucherService {
  constructor(
    private readonly models: Models,
    private readonly campaigns: CampaignService,
  ) {}

  /** By code, or by `v_…` id. */
  async find(codeOrId: string): Promise<VoucherDoc> {
    const voucher =
      (await this.models.Voucher.findOne({ code: codeOrId }).lean()) ??
      (codeOrId.startsWith('v_') ? await this.models.Voucher.findById(codeOrId).lean() : null);
    if (!voucher) throw DomainError.notFound('voucher', codeOrId);
    return voucher;
  }

  async get(codeOrId: string): Promise<VoucherJson> {
    return (await this.toJson([await this.find(codeOrId)]))[0]!;
  }

  async setActive(codeOrId: string, active: boolean): Promise<VoucherJson> {
    const voucher = await this.find(codeOrId);
    const updated = await this.models.Voucher.findOneAndUpdate(
      { _id: voucher._id },
      { $set: { active } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw DomainError.notFound('voucher', codeOrId);
    return (await this.toJson([updated]))[0]!;
  }

  async list(
    query: VoucherListQuery,
  ): Promise<{ object: 'list'; data_ref: 'vouchers'; vouchers: VoucherJson[]; total: number }> {
    const filter: Record<string, unknown> = {};
    const campaignIds = new Set<string>();
    if (query.campaign) campaignIds.add((await this.campaigns.get(query.campaign))._id);
    if (query.campaign_id) campaignIds.add(query.campaign_id);
    // Both given but naming different campaigns: nothing can match.
    if (campaignIds.size > 1) return { object: 'list', data_ref: 'vouchers', vouchers: [], total: 0 };
    if (campaignIds.size === 1) filter.campaign_id = [...campaignIds][0];
    if (query.customer) filter.holder_id = await this.holderId(query.customer);
    const { docs, total } = await findPage(this.models.Voucher, filter, {
      sort: { created_at: -1, _id: -1 },
      page: query.page,
      limit: query.limit,
    });
    return { object: 'list', data_ref: 'vouchers', vouchers: await this.toJson(docs), total };
  }

  /** A customer id as is; otherwise the id of the customer with that source_id (or the value itself, matching nothing). */
  private async holderId(customer: string): Promise<string> {
    if (customer.startsWith('cust_')) return customer;
    const found = await this.models.Customer.findOne({ source_id_key: customer }, { _id: 1 }).lean();
    return found ? String(found._id) : customer;
  }

  /** The campaign names come from one query; a deleted campaign's published codes answer `campaign: null`. */
  private async toJson(docs: VoucherDoc[]): Promise<VoucherJson[]> {
    const ids = [...new Set(docs.map((d) => d.campaign_id))];
    const campaigns = ids.length ? await this.models.Campaign.find({ _id: { $in: ids } }, { name: 1 }).lean() : [];
    const names = new Map(campaigns.map((c) => [String(c._id), c.name]));
    return docs.map((d) => ({ ...toVoucherJson(d, { name: '' }), campaign: names.get(d.campaign_id) ?? null }));
  }
}
