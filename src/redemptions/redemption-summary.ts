import { isDeepStrictEqual } from 'node:util';
import { inParallel } from '../concurrency';
import { EMPTY_REFERRALS, EMPTY_SUMMARY } from '../customers/customer-json';
import type { CustomerService } from '../customers/customer-service';
import { refreshDerived } from '../customers/derived-refresh';
import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';

/** Customers refreshed at once for a batch of changed documents. */
const PARALLEL_REFRESHES = 4;

/** Voucherify's `summary.redemptions` of a customer. */
export interface RedemptionsSummary {
  total_redeemed: number;
  total_failed: number;
  total_succeeded: number;
  total_rolled_back: number;
  total_rollback_failed: number;
  total_rollback_succeeded: number;
  gift: { redeemed_amount: number; amount_to_go: number };
  loyalty_card: { redeemed_points: number; points_to_go: number };
}

/** The part of Voucherify's `loyalty` derived from the customer's loyalty cards. */
export interface LoyaltySummary {
  points: number;
  /** Distinct customers whose redemption of this customer's referral codes succeeded. */
  referred_customers: number;
  campaigns: Record<string, { points?: number; referred_customers?: number }>;
}

/** Voucherify's `referrals` of a referred customer: who referred them, in which program. */
export interface ReferralsSummary {
  total: number;
  campaigns: Array<{
    campaign_id: string;
    referrer_id: string;
    related_object_id: string;
    related_object_type: 'redemption';
    date: string;
  }>;
}

export interface CustomerRedemptionFacts {
  redemptions: RedemptionsSummary;
  loyalty: LoyaltySummary;
  referrals: ReferralsSummary;
}

/**
 * Keeps `customer.summary.redemptions` and `customer.loyalty.points` equal to what the
 * redemptions and the customer's gift and loyalty cards say. Runs as
 * the follow-up of the redemptions', vouchers' (balance changes, rewards) and publications'
 * (a card given to the customer) outboxes, like `summary.orders`: recomputed from scratch, so
 * a retried or repeated follow-up cannot count anything twice.
 */
export class RedemptionSummaries {
  constructor(
    private readonly models: Models,
    private readonly customers: CustomerService,
    /** Settled first, so a referrer's credit missed by a crash is made before their summary is read. */
    private readonly referralRewards?: { settleMany(ids: string[]): Promise<void> },
  ) {}

  async refreshForRedemptions(ids: string[]): Promise<void> {
    await this.referralRewards?.settleMany(ids);
    const docs = await this.models.Redemption.find({ _id: { $in: ids } }, { customer_id: 1, referrer_id: 1 }).lean();
    await this.refreshAll(docs.flatMap((d) => [d.customer_id, d.referrer_id]));
  }

  async refreshForVouchers(ids: string[]): Promise<void> {
    const docs = await this.models.Voucher.find({ _id: { $in: ids } }, { holder_id: 1 }).lean();
    await this.refreshAll(docs.map((d) => d.holder_id));
  }

  /** Only a published card moves a balance the customer holds; a distribution's discount codes cost one query per batch and no refresh. */
  async refreshForPublications(ids: string[]): Promise<void> {
    const cards = await this.models.Voucher.find(
      { publication_id: { $in: ids }, type: { $in: ['GIFT_VOUCHER', 'LOYALTY_CARD'] } },
      { holder_id: 1 },
    ).lean();
    await this.refreshAll(cards.map((d) => d.holder_id));
  }

  refresh(customerId: string): Promise<void> {
    return refreshDerived(this.models, this.customers, customerId, {
      name: 'summary.redemptions',
      compute: (id) => this.compute(id),
      change: (current, facts) => changeOf(current, facts),
    });
  }

  async compute(customerId: string): Promise<CustomerRedemptionFacts> {
    const [redemptions, cards, referred] = await Promise.all([
      this.models.Redemption.find(
        { customer_id: customerId },
        { status: 1, amount: 1, voucher_id: 1, referrer_id: 1, campaign_id: 1, date: 1, rollback_failures: 1 },
      ).lean(),
      this.models.Voucher.find(
        { holder_id: customerId, type: { $in: ['GIFT_VOUCHER', 'LOYALTY_CARD'] } },
        { type: 1, campaign_id: 1, gift: 1, loyalty_card: 1 },
      ).lean(),
      this.models.Redemption.find(
        { referrer_id: customerId, status: 'SUCCEEDED' },
        { customer_id: 1, campaign_id: 1 },
      ).lean(),
    ]);
    const loyaltyCards = cards.filter((c) => c.type === 'LOYALTY_CARD');
    const redeemedVoucherIds = [
      ...new Set(redemptions.filter((r) => r.status === 'SUCCEEDED' && r.voucher_id).map((r) => r.voucher_id!)),
    ];
    const giftIds = redeemedVoucherIds.length
      ? await this.models.Voucher.find({ _id: { $in: redeemedVoucherIds }, type: 'GIFT_VOUCHER' }, { _id: 1 }).lean()
      : [];
    const gifts = new Set(giftIds.map((v) => v._id));
    const count = (status: string) => redemptions.filter((r) => r.status === status).length;
    const failed = count('FAILED');
    const rolledBack = count('ROLLED_BACK');
    // Refused rollbacks are recorded on their redemption, as refused redemptions are recorded.
    const rollbackFailed = redemptions.reduce((s, r) => s + (r.rollback_failures ?? 0), 0);
    // A rolled-back redemption did succeed: it stays among the succeeded and counts as a rollback too.
    const succeeded = count('SUCCEEDED') + rolledBack;
    const balance = (sub: Record<string, unknown> | undefined) => Number(sub?.balance ?? 0) || 0;
    // A card's `points` are all it was given less what was taken off by hand: the rest of the difference to its balance went on rewards.
    const spent = (sub: Record<string, unknown> | undefined) =>
      Math.max(0, (Number(sub?.points ?? 0) || 0) - balance(sub));
    const campaigns: LoyaltySummary['campaigns'] = {};
    for (const card of loyaltyCards)
      campaigns[card.campaign_id] = { points: (campaigns[card.campaign_id]?.points ?? 0) + balance(card.loyalty_card) };
    // A customer referred twice (two codes, or one code redeemed twice) is one referred customer.
    const referredIn = new Map<string, Set<string>>();
    for (const r of referred)
      if (r.customer_id && r.campaign_id)
        referredIn.set(r.campaign_id, (referredIn.get(r.campaign_id) ?? new Set()).add(r.customer_id));
    for (const [campaignId, who] of referredIn)
      campaigns[campaignId] = { ...campaigns[campaignId], referred_customers: who.size };
    const referrals = redemptions
      .filter((r) => r.status === 'SUCCEEDED' && r.referrer_id && r.campaign_id)
      .map((r) => ({
        campaign_id: r.campaign_id!,
        referrer_id: r.referrer_id!,
        related_object_id: r._id,
        related_object_type: 'redemption' as const,
        date: new Date(r.date).toISOString(),
      }));
    const points = loyaltyCards.reduce((s, c) => s + balance(c.loyalty_card), 0);
    return {
      redemptions: {
        total_redeemed: succeeded + failed,
        total_failed: failed,
        total_succeeded: succeeded,
        total_rolled_back: rolledBack + rollbackFailed,
        total_rollback_failed: rollbackFailed,
        total_rollback_succeeded: rolledBack,
        gift: {
          redeemed_amount: redemptions
            .filter((r) => r.status === 'SUCCEEDED' && r.voucher_id && gifts.has(r.voucher_id))
            .reduce((s, r) => s + (r.amount ?? 0), 0),
          amount_to_go: cards.filter((c) => c.type === 'GIFT_VOUCHER').reduce((s, c) => s + balance(c.gift), 0),
        },
        loyalty_card: {
          redeemed_points: loyaltyCards.reduce((s, c) => s + spent(c.loyalty_card), 0),
          points_to_go: points,
        },
      },
      loyalty: {
        points,
        referred_customers: new Set(referred.map((r) => r.customer_id).filter(Boolean)).size,
        campaigns,
      },
      referrals: { total: referrals.length, campaigns: referrals },
    };
  }

  private async refreshAll(customerIds: Array<string | undefined>): Promise<void> {
    const ids = [...new Set(customerIds.filter((id): id is string => Boolean(id)))];
    await inParallel(ids, PARALLEL_REFRESHES, (id) => this.refresh(id));
  }
}

/** Null when the customer already shows these facts, counting the JSON's defaults for a customer never refreshed, so no write is needed. */
function changeOf(current: CustomerDoc, facts: CustomerRedemptionFacts): Record<string, unknown> | null {
  const loyalty = {
    ...current.loyalty,
    points: facts.loyalty.points,
    referred_customers: facts.loyalty.referred_customers,
    campaigns: facts.loyalty.campaigns,
  };
  const shown = {
    ...EMPTY_SUMMARY.redemptions,
    ...(current.summary?.redemptions as Partial<RedemptionsSummary> | undefined),
  };
  const referrals = current.referrals ?? EMPTY_REFERRALS;
  if (
    isDeepStrictEqual(shown, facts.redemptions) &&
    isDeepStrictEqual({ points: 0, referred_customers: 0, campaigns: {}, ...current.loyalty }, loyalty) &&
    isDeepStrictEqual(referrals, facts.referrals)
  )
    return null;
  return { summary: { ...current.summary, redemptions: facts.redemptions }, loyalty, referrals: facts.referrals };
}
