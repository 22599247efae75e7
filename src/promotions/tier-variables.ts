import type { Infrastructure } from '../infrastructure';
import { tierWithCampaign } from './tier-lookup';
import { tierRefJson } from './tier-json';

/**
 * The promotion tier a "notify about a promotion" distribution names, in the shape
 * `messageVariables` reads as `promotionTier` (id, name, banner, discount_description,
 * action.discount, start_date, expiration_date: the tier's window inside its campaign's).
 * `undefined` when the tier or its campaign does not exist (the distribution's messages then fail).
 * A disabled or expired tier is still described: the operator chose to announce it.
 */
export async function promotionTierForMessage(
  ctx: Pick<Infrastructure, 'models'>,
  tierId: string,
): Promise<Record<string, unknown> | undefined> {
  const { tier, campaign } = await tierWithCampaign(ctx.models, tierId);
  if (!tier || !campaign) return undefined;
  return tierRefJson(tier, campaign);
}
