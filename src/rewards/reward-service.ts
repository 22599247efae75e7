import { customerRef } from '../customers/customer-json';
import { findVoucher } from '../balances/balance-service';
import { raiseEvent, withOutbox } from '../events/outbox';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { RewardDoc } from '../models/reward';
import type { VoucherDoc } from '../models/voucher';
import { findPage } from '../db/find-page';
import { rewardRef } from './reward-value';

export interface RewardInput {
  name: string;
  type: 'CAMPAIGN' | 'MATERIAL';
  parameters: RewardDoc['parameters'];
  stock?: number | null;
  attributes?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export function toRewardJson(r: RewardDoc) {
  return {
    id: r._id,
    name: r.name,
    type: r.type,
    parameters: r.parameters,
    stock: r.stock,
    redeemed: r.redeemed,
    attributes: r.attributes ?? {},
    metadata: r.metadata ?? {},
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at?.toISOString() ?? null,
    object: 'reward' as const,
  };
}

/**
 * Rewards and their purchase with loyalty points. Points are taken by one conditional `$inc`
 * on the card (guarded by `balance >= points`), which also writes `customer.rewarded` into the
 * card's outbox; limited stock is reserved first by another conditional `$inc` and given
 * back if the points are refused. No order of concurrent requests can overdraw either.
 */
export class RewardService {
  constructor(
    private readonly models: Models,
    private readonly onEvents: (voucherId: string) => void = () => undefined,
  ) {}

  async create(input: RewardInput): Promise<RewardDoc> {
    if (input.type === 'CAMPAIGN' && !input.parameters.campaign?.id)
      throw DomainError.invalid(
        'invalid_payload',
        'Invalid payload',
        'parameters.campaign.id is required for a CAMPAIGN reward',
      );
    if (input.type === 'CAMPAIGN') {
      const campaign = await this.models.Campaign.findById(input.parameters.campaign!.id).lean();
      if (!campaign) throw DomainError.notFound('campaign', input.parameters.campaign!.id);
    }
    const now = new Date();
    const stock = input.stock ?? null;
    const doc: RewardDoc = {
      _id: newId('rew'),
      name: input.name,
      type: input.type,
      parameters: input.parameters,
      stock,
      remaining: stock,
      redeemed: 0,
      attributes: input.attributes ?? {},
      metadata: input.metadata ?? {},
      created_at: now,
      updated_at: now,
    };
    await this.models.Reward.create(doc);
    return doc;
  }

  async get(id: string): Promise<RewardDoc> {
    const reward = await this.models.Reward.findById(id).lean();
    if (!reward) throw DomainError.notFound('reward', id);
    return reward;
  }

  async list(limit: number, page: number): Promise<{ rewards: RewardDoc[]; total: number }> {
    const { docs: rewards, total } = await findPage(
      this.models.Reward,
      {},
      { sort: { created_at: -1, _id: 1 }, page, limit },
    );
    return { rewards, total };
  }

  async redeem(
    memberCode: string,
    input: { rewardId: string; points?: number; campaign?: string; metadata?: Record<string, unknown> },
  ) {
    const voucher = await findVoucher(this.models, memberCode);
    if (input.campaign !== undefined) {
      const campaign =
        (await this.models.Campaign.findById(input.campaign).lean()) ??
        (await this.models.Campaign.findOne({ name: input.campaign }).lean());
      if (!campaign || campaign._id !== voucher.campaign_id) throw DomainError.notFound('voucher', memberCode);
    }
    if (voucher.type !== 'LOYALTY_CARD')
      throw DomainError.invalid(
        'invalid_voucher_type',
        'Not a loyalty card',
        `voucher ${voucher.code} is a ${voucher.type}`,
      );
    if (!voucher.active)
      throw DomainError.invalid('voucher_disabled', 'Voucher is disabled', `loyalty card ${voucher.code} is disabled`);
    const reward = await this.get(input.rewardId);
    const points = input.points ?? reward.parameters.loyalty?.points;
    if (points === undefined || !Number.isInteger(points) || points <= 0) {
      throw DomainError.invalid(
        'invalid_payload',
        'Invalid payload',
        `reward ${reward._id} has no price in points: send reward.points`,
      );
    }

    const limited = reward.stock !== null;
    if (limited) {
      const reserved = await this.models.Reward.updateOne(
        { _id: reward._id, remaining: { $gte: 1 } },
        { $inc: { remaining: -1, redeemed: 1 } },
      );
      if (reserved.modifiedCount === 0)
        throw DomainError.invalid(
          'reward_out_of_stock',
          'Reward out of stock',
          `reward ${reward.name} has no stock left`,
        );
    }

    const redemptionId = newId('r');
    const now = new Date();
    const holder = voucher.holder_id ? await this.models.Customer.findById(voucher.holder_id).lean() : null;
    const rewardJson = await rewardRef(this.models, reward);
    const event = raiseEvent(
      'customer.rewarded',
      { type: 'voucher', id: voucher._id },
      {
        ...(holder ? { customer: customerRef(holder) } : {}),
        reward: rewardJson,
        voucher: {
          id: voucher._id,
          code: voucher.code,
          type: voucher.type,
          campaign_id: voucher.campaign_id ?? null,
          object: 'voucher',
        },
        points,
        redemption: { id: redemptionId, object: 'redemption' },
      },
      voucher.holder_id,
      now,
    );
    const updated = await this.models.Voucher.findOneAndUpdate(
      { _id: voucher._id, 'loyalty_card.balance': { $gte: points } },
      withOutbox<VoucherDoc>({ $inc: { 'loyalty_card.balance': -points } }, [event]),
      { returnDocument: 'after' },
    ).lean();
    if (!updated) {
      if (limited) await this.models.Reward.updateOne({ _id: reward._id }, { $inc: { remaining: 1, redeemed: -1 } });
      const balance = Number((voucher.loyalty_card as { balance?: number } | undefined)?.balance ?? 0);
      throw DomainError.invalid(
        'loyalty_card_points_exceeded',
        'Loyalty card points exceeded',
        `reward ${reward.name} costs ${points} points; card ${voucher.code} had ${balance}`,
      );
    }
    this.onEvents(voucher._id);
    await this.models.RewardRedemption.create({
      _id: redemptionId,
      reward_id: reward._id,
      voucher_id: voucher._id,
      ...(voucher.holder_id ? { customer_id: voucher.holder_id } : {}),
      points,
      metadata: input.metadata ?? {},
      created_at: now,
    });

    const card = (updated.loyalty_card ?? {}) as { points?: number; balance?: number };
    return {
      id: redemptionId,
      object: 'redemption' as const,
      date: now.toISOString(),
      customer_id: voucher.holder_id ?? null,
      tracking_id: holder?.source_id ?? null,
      metadata: input.metadata ?? {},
      result: 'SUCCESS' as const,
      channel: { channel_type: 'API' },
      customer: holder ? customerRef(holder) : null,
      reward: rewardJson,
      loyalty_card: { points },
      voucher: {
        id: updated._id,
        code: updated.code,
        type: updated.type,
        campaign_id: updated.campaign_id,
        loyalty_card: { points: card.points ?? 0, balance: card.balance ?? 0 },
        object: 'voucher' as const,
      },
    };
  }
}
