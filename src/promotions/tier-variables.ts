import type { AppContext } from '../context';

/**
 * CONTRACT (filled in by the promotions work, issue 8): the promotion tier a "notify about a
 * promotion" distribution names, in the shape `messageVariables` reads as `promotionTier`
 * (id, name, banner, discount_description or action.discount, start_date, expiration_date).
 * `undefined` when the tier does not exist (the distribution's messages then fail).
 */
export async function promotionTierForMessage(_ctx: AppContext, _tierId: string): Promise<Record<string, unknown> | undefined> {
  return undefined;
}
