import type { Models } from '../models';
import type { RedeemableError, Target } from './redemption-types';
import { failure } from './redemption-checks';
import type { RedeemedObject } from './redemption-tallies';

/**
 * Takes one use atomically; returns the error when none is left or the voucher or tier was
 * disabled meanwhile. A tier has no quantity: its claim adds to its totals while it is active.
 */
export async function claimUse(
  models: Models,
  target: Target,
  amount: number | null,
  discount: number,
): Promise<RedeemableError | null> {
  if (target.object === 'promotion_tier') {
    const res = await models.PromotionTier.updateOne(
      { _id: target.tier._id, active: true },
      { $inc: tierTotals(1, amount, discount) },
    );
    return res.modifiedCount === 1
      ? null
      : failure('promotion_inactive', `promotion tier ${target.tier._id} is disabled`);
  }
  const voucher = target.voucher;
  const quantity = voucher.redemption.quantity;
  const filter =
    quantity === null || quantity === undefined
      ? { _id: voucher._id, active: true }
      : { _id: voucher._id, active: true, 'redemption.redeemed_quantity': { $lt: quantity } };
  const res = await models.Voucher.updateOne(filter, { $inc: { 'redemption.redeemed_quantity': 1 } });
  if (res.modifiedCount === 1) return null;
  const now = await models.Voucher.findById(voucher._id, { active: 1 }).lean();
  if (now && !now.active) return failure('voucher_disabled', `voucher ${voucher.code} is disabled`);
  return failure('quantity_exceeded', `voucher ${voucher.code} has no redemptions left`);
}

/** Gives one use back: the redemption failed after its claim, or was rolled back. */
export async function giveBack(
  models: Models,
  object: RedeemedObject,
  amount: number | null,
  discount: number,
): Promise<void> {
  if (object.type === 'promotion_tier')
    await models.PromotionTier.updateOne({ _id: object.id }, { $inc: tierTotals(-1, amount, discount) });
  else
    await models.Voucher.updateOne(
      { _id: object.id, 'redemption.redeemed_quantity': { $gt: 0 } },
      { $inc: { 'redemption.redeemed_quantity': -1 } },
    );
}

/** A tier's running totals moved by one redemption (`sign` -1 gives it back). */
function tierTotals(sign: 1 | -1, amount: number | null, discount: number) {
  return { redeemed_count: sign, orders_total_amount: sign * (amount ?? 0), orders_discount_amount: sign * discount };
}
