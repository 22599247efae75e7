import { addVouchers, claimVoucher, releaseVoucher } from '../campaigns/code-pool';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import type { CampaignService } from '../campaigns/campaign-service';
import type { CustomerInput } from '../customers/customer-input';
import type { CustomerService } from '../customers/customer-service';
import { withOutbox } from '../events/outbox';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { PublicationDoc } from '../models/publication';
import type { VoucherDoc } from '../models/voucher';
import { publishedEvent } from './published-event';
import { publishBatch, type BatchPublishRequest, type BatchPublishResult } from './publish-batch';

export interface PublishInput {
  campaign: string;
  customer: string | CustomerInput;
  source_id?: string;
  channel?: string;
  metadata?: Record<string, unknown>;
  join_once?: boolean;
}

const MAX_ATTEMPTS = 5;

/** Typed so callers (the distribution engine) can tell "pool empty" from other failures. */
export class NoVoucherSuitableError extends DomainError {
  constructor(campaign: CampaignDoc) {
    super(
      'invalid',
      'no_voucher_suitable_for_publication',
      'No voucher suitable for publication',
      `campaign ${campaign.name} (${campaign._id}) has no free code left and is STATIC`,
      {
        resource_id: campaign._id,
        resource_type: 'campaign',
      },
    );
  }
}

/**
 * Publishes a campaign code to a customer. The publication's unique `key` makes repeats
 * (same source_id, or join-once) converge on one publication; the code is claimed by one
 * atomic conditional update and tied to the publication by another, so a code is never
 * given twice and a publication never ends up with two codes.
 */
export class PublicationService {
  constructor(
    private readonly models: Models,
    private readonly customers: CustomerService,
    private readonly campaigns: CampaignService,
    private readonly onEvents: (publicationId: string) => void = () => undefined,
    /** A batch's publications raised events: relayed together, not one by one. */
    private readonly onManyEvents: (publicationIds: string[]) => void = (ids) => {
      for (const id of ids) onEvents(id);
    },
  ) {}

  async publish(
    input: PublishInput,
  ): Promise<{ publication: PublicationDoc; voucher: VoucherDoc; customer: CustomerDoc; campaign: CampaignDoc }> {
    const campaign = await this.activeCampaign(input.campaign);
    const customer = await this.resolveCustomer(input.customer);
    const key =
      campaign.join_once || input.join_once
        ? `join:${campaign._id}:${customer._id}`
        : input.source_id
          ? `source:${campaign._id}:${input.source_id}`
          : `once:${newId('pub')}`;

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const { publication, created } = await this.publicationFor(key, campaign, customer, input);
      if (publication.voucher_id) {
        const voucher = await this.models.Voucher.findById(publication.voucher_id).lean();
        if (voucher) return { publication, voucher, customer, campaign };
      }
      // Only a publication made by an earlier call can already hold a code (claimed before a crash).
      const voucher = await claimVoucher(this.models, campaign, publication._id, customer._id, {
        fresh: created && attempt === 0,
      });
      if (!voucher) {
        if (campaign.type !== 'AUTO_UPDATE') {
          // Leave no empty publication behind: a retry after the pool is refilled must be able to succeed.
          await this.models.Publication.deleteOne({ _id: publication._id, voucher_id: { $exists: false } });
          throw new NoVoucherSuitableError(campaign);
        }
        // The seed's auto-update: grow the pool in a batch, not code by code.
        await addVouchers(this.models, campaign, Math.max(10, Math.ceil(campaign.vouchers_count / 10)));
        continue;
      }
      const event = publishedEvent(publication._id, voucher, customer, campaign, new Date());
      const assigned = await this.models.Publication.findOneAndUpdate(
        { _id: publication._id, voucher_id: { $exists: false } },
        withOutbox<PublicationDoc>({ $set: { voucher_id: voucher._id } }, [event]),
        { returnDocument: 'after' },
      ).lean();
      if (assigned) {
        this.onEvents(publication._id);
        return { publication: assigned, voucher, customer, campaign };
      }
      // A concurrent repeat of this publication won the slot: give our code back and return its.
      const winner = await this.models.Publication.findById(publication._id).lean();
      if (winner?.voucher_id !== voucher._id) await releaseVoucher(this.models, voucher._id, publication._id);
    }
    throw DomainError.conflict('multiple_requests', 'Too many concurrent publications', 'Retry the request.');
  }

  /**
   * Publishes one code of an active campaign to each of many customers (a distribution batch),
   * keyed by their `source_id`s like `publish`; see `publishBatch`.
   */
  async publishBatch(
    campaignId: string,
    requests: BatchPublishRequest[],
    channel: string,
  ): Promise<BatchPublishResult & { campaign: CampaignDoc }> {
    const campaign = await this.activeCampaign(campaignId);
    if (requests.length === 0) return { campaign, published: new Map(), exhausted: false };
    return { campaign, ...(await publishBatch(this.models, campaign, requests, channel, this.onManyEvents)) };
  }

  private async activeCampaign(idOrName: string): Promise<CampaignDoc> {
    const campaign = await this.campaigns.get(idOrName);
    if (!campaign.active)
      throw DomainError.invalid('campaign_inactive', 'Campaign is disabled', `campaign ${campaign.name} is disabled`);
    if (campaign.campaign_type === 'PROMOTION')
      throw DomainError.invalid(
        'invalid_campaign',
        'Campaign has no codes',
        `campaign ${campaign.name} is a promotion: its tiers apply without codes`,
      );
    return campaign;
  }

  private async publicationFor(
    key: string,
    campaign: CampaignDoc,
    customer: CustomerDoc,
    input: PublishInput,
  ): Promise<{ publication: PublicationDoc; created: boolean }> {
    const existing = await this.models.Publication.findOne({ key }).lean();
    if (existing) return { publication: existing, created: false };
    const now = new Date();
    const doc: PublicationDoc = {
      _id: newId('pub'),
      key,
      campaign_id: campaign._id,
      customer_id: customer._id,
      ...(input.source_id ? { source_id: input.source_id } : {}),
      channel: input.channel ?? 'API',
      metadata: input.metadata ?? {},
      created_at: now,
      updated_at: now,
    };
    try {
      await this.models.Publication.create(doc);
      return { publication: doc, created: true };
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
      const raced = await this.models.Publication.findOne({ key }).lean();
      if (!raced) throw err;
      return { publication: raced, created: false };
    }
  }

  /** A string names an existing customer (id or source_id) or creates one with that source_id, as Voucherify does. */
  private async resolveCustomer(customer: string | CustomerInput): Promise<CustomerDoc> {
    if (typeof customer !== 'string') return this.customers.upsert(customer);
    return (await this.customers.find(customer)) ?? this.customers.upsert({ source_id: customer });
  }
}
