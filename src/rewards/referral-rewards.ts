import type { BalanceService } from '../balances/balance-service';
import { DomainError } from '../errors';
import type { Models } from '../models';
import type { RedemptionDoc, ReferrerReward } from '../models/redemption';
import type { RewardDoc } from '../models/reward';
import type { VoucherDoc } from '../models/voucher';

/** What crediting needs of publications: one keyed publication of a campaign's code to a customer. */
export interface Publisher {
  publish(input: { campaign: string; customer: string; source_id: string }): Promise<{ voucher: VoucherDoc }>;
}

const CARD_TYPES: Record<string, string> = { GIFT_VOUCHERS: 'GIFT_VOUCHER', LOYALTY_PROGRAM: 'LOYALTY_CARD' };

/**
 * The referrer's reward for a referral redemption, credited as Voucherify does: a CAMPAIGN
 * reward adds its `parameters.campaign.balance` to the gift or loyalty card the referrer holds
 * in that campaign (publishing one to them if they hold none), or publishes them a code of a
 * discount campaign; a MATERIAL reward is recorded only (the item is handed over outside).
 *
 * `settle` brings the credit in line with the redemption's status and is safe to repeat: every
 * write is keyed by the redemption id (the balance change's `source_id`, the publication's
 * `source_id`), and the record on the redemption is a conditional update. It runs right after
 * the redemption and its rollback and again as the redemptions' outbox follow-up, so a crash
 * between the redemption and its credit only delays the credit.
 */
export class ReferralRewards {
  constructor(
    private readonly models: Models,
    private readonly balances: BalanceService,
    private readonly publisher: Publisher,
  ) {}

  async settleMany(ids: string[]): Promise<void> {
    const docs = await this.models.Redemption.find({ _id: { $in: ids }, referrer_id: { $exists: true } }).lean();
    for (const d of docs) await this.settleDoc(d);
  }

  async settle(id: string): Promise<RedemptionDoc | null> {
    const doc = await this.models.Redemption.findById(id).lean();
    return doc ? this.settleDoc(doc) : null;
  }

  private async settleDoc(doc: RedemptionDoc): Promise<RedemptionDoc> {
    if (!doc.referrer_id || !doc.campaign_id) return doc;
    if (doc.status === 'SUCCEEDED' && !doc.referrer_reward) return this.credit(doc, doc.referrer_id, doc.campaign_id);
    if (doc.status === 'ROLLED_BACK' && doc.referrer_reward?.status === 'CREDITED') return this.withdraw(doc);
    return doc;
  }

  private async credit(doc: RedemptionDoc, referrerId: string, campaignId: string): Promise<RedemptionDoc> {
    const program = await this.models.Campaign.findById(campaignId, { referral_program: 1 }).lean();
    const rewardId = program?.referral_program?.referrer_reward?.id;
    const reward = rewardId ? await this.models.Reward.findById(rewardId).lean() : null;
    if (!reward) return doc;
    // A reward campaign that cannot give (disabled, a static pool used up) leaves the redemption standing: the record says why.
    const record = await this.creditOf(doc._id, reward, referrerId).catch(
      (err: unknown): ReferrerReward => ({
        reward_id: reward._id,
        type: reward.type,
        status: 'NOT_CREDITED',
        date: new Date(),
        reason: refusalReason(err),
      }),
    );
    // Only the first settle records: a concurrent one made the same keyed writes and lost here.
    const updated = await this.models.Redemption.findOneAndUpdate(
      { _id: doc._id, referrer_reward: { $exists: false } },
      { $set: { referrer_reward: record } },
      { returnDocument: 'after' },
    ).lean();
    return updated ?? (await this.models.Redemption.findById(doc._id).lean()) ?? doc;
  }

  private async creditOf(redemptionId: string, reward: RewardDoc, referrerId: string): Promise<ReferrerReward> {
    const base = { reward_id: reward._id, type: reward.type, status: 'CREDITED' as const, date: new Date() };
    const target = reward.type === 'CAMPAIGN' ? reward.parameters.campaign : undefined;
    if (!target) return base;
    const campaign = await this.models.Campaign.findById(target.id, { campaign_type: 1 }).lean();
    if (!campaign) return { ...base, status: 'NOT_CREDITED', reason: `reward campaign ${target.id} no longer exists` };
    const key = `referral:${redemptionId}`;
    const publish = async () =>
      (await this.publisher.publish({ campaign: campaign._id, customer: referrerId, source_id: key })).voucher;
    const cardType = CARD_TYPES[campaign.campaign_type ?? ''];
    if (!cardType) {
      const voucher = await publish();
      return { ...base, voucher_id: voucher._id, code: voucher.code };
    }
    const held = await this.models.Voucher.findOne(
      { holder_id: referrerId, campaign_id: campaign._id, type: cardType },
      { _id: 1, code: 1 },
    )
      .sort({ created_at: 1, _id: 1 })
      .lean();
    const card = held ?? (await publish());
    const amount = Number(target.balance ?? 0);
    if (amount > 0) await this.balances.add(card._id, { amount, source_id: key, reason: 'referral reward' });
    return { ...base, voucher_id: card._id, code: card.code, amount };
  }

  /**
   * Takes back what the rollback's redemption credited: the credits or points (refused when the
   * referrer already spent them: the record says so), or the published code (disabled unless
   * it was redeemed meanwhile). A material reward was handed over outside: it stays.
   */
  private async withdraw(doc: RedemptionDoc): Promise<RedemptionDoc> {
    const credited = doc.referrer_reward!;
    let outcome: Pick<ReferrerReward, 'status' | 'reason'> = { status: 'WITHDRAWN' };
    if (credited.voucher_id && credited.amount)
      try {
        await this.balances.add(credited.voucher_id, {
          amount: -credited.amount,
          source_id: `referral-rollback:${doc._id}`,
          reason: 'referral redemption rolled back',
        });
      } catch (err) {
        outcome = { status: 'NOT_WITHDRAWN', reason: refusalReason(err) };
      }
    else if (credited.voucher_id) {
      const disabled = await this.models.Voucher.updateOne(
        { _id: credited.voucher_id, 'redemption.redeemed_quantity': 0 },
        { $set: { active: false } },
      );
      if (disabled.matchedCount === 0)
        outcome = { status: 'NOT_WITHDRAWN', reason: `code ${credited.code} was already redeemed` };
    } else outcome = { status: 'NOT_WITHDRAWN', reason: `a ${credited.type} reward is handed over outside the engine` };
    const updated = await this.models.Redemption.findOneAndUpdate(
      { _id: doc._id, 'referrer_reward.status': 'CREDITED' },
      {
        $set: {
          'referrer_reward.status': outcome.status,
          ...(outcome.reason ? { 'referrer_reward.reason': outcome.reason } : {}),
        },
      },
      { returnDocument: 'after' },
    ).lean();
    // A concurrent settle (the outbox follow-up) recorded it first: answer with its record.
    return updated ?? (await this.models.Redemption.findById(doc._id).lean()) ?? doc;
  }
}

/** A domain refusal as a record's reason; anything else is a fault and propagates. */
function refusalReason(err: unknown): string {
  if (!(err instanceof DomainError)) throw err;
  return `${err.key}: ${err.details ?? err.message}`;
}
