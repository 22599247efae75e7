import type { DistributionPurpose, DistributionTrigger } from '../models/distribution';
import type { VariableScope } from '../templates/validate-template';
import { AUTOMATIC_TRIGGER_TYPES, type AutomaticTrigger } from './triggers';

/** The voucher events: their data carries the voucher (and so its balances). */
const VOUCHER_TRIGGERS: readonly AutomaticTrigger[] = [
  'gift_credits_added',
  'loyalty_points_added',
  'voucher_redeemed',
  'voucher_redemption_rollback',
  'reward_redeemed',
  'voucher_published',
  'customer_referred',
];
/** Events whose data names the campaign. */
const CAMPAIGN_TRIGGERS: readonly AutomaticTrigger[] = [
  'voucher_redeemed',
  'voucher_redemption_rollback',
  'voucher_published',
  'customer_referred',
];
const ORDER_TRIGGERS: readonly AutomaticTrigger[] = [
  'order_created',
  'order_updated',
  'order_paid',
  'order_canceled',
  'voucher_redeemed',
];
const BALANCE_TRIGGERS: readonly AutomaticTrigger[] = ['gift_credits_added', 'loyalty_points_added'];

/** Where each family of variables gets its value; a family not listed is always there (customer, distribution). */
const SOURCES: Record<
  string,
  { triggers: readonly AutomaticTrigger[]; purpose?: DistributionPurpose['type']; needs: string }
> = {
  voucher: {
    triggers: VOUCHER_TRIGGERS,
    purpose: 'unique_code',
    needs: `a unique_code purpose or a voucher trigger (${VOUCHER_TRIGGERS.join(', ')})`,
  },
  loyalty: {
    triggers: VOUCHER_TRIGGERS,
    purpose: 'unique_code',
    needs: `a unique_code purpose or a voucher trigger (${VOUCHER_TRIGGERS.join(', ')})`,
  },
  gift: {
    triggers: VOUCHER_TRIGGERS,
    purpose: 'unique_code',
    needs: `a unique_code purpose or a voucher trigger (${VOUCHER_TRIGGERS.join(', ')})`,
  },
  campaign: {
    triggers: CAMPAIGN_TRIGGERS,
    purpose: 'unique_code',
    needs: `a unique_code purpose or the trigger ${CAMPAIGN_TRIGGERS.join(', ')}`,
  },
  // A redemption of a promotion tier carries the tier.
  promotion: {
    triggers: ['voucher_redeemed', 'voucher_redemption_rollback'],
    purpose: 'promotion',
    needs: 'the promotion purpose or the trigger voucher_redeemed, voucher_redemption_rollback',
  },
  order: { triggers: ORDER_TRIGGERS, needs: `an order trigger (${ORDER_TRIGGERS.join(', ')})` },
  reward: { triggers: ['reward_redeemed'], needs: 'the reward_redeemed trigger' },
  // A referral program's code (published, or redeemed) and a referrer's reward event name the referrer's reward.
  referral: {
    triggers: [...CAMPAIGN_TRIGGERS, 'reward_redeemed'],
    purpose: 'unique_code',
    needs: `a unique_code purpose or the trigger ${[...CAMPAIGN_TRIGGERS, 'reward_redeemed'].join(', ')}`,
  },
  balance: { triggers: BALANCE_TRIGGERS, needs: `the trigger ${BALANCE_TRIGGERS.join(' or ')}` },
  event: { triggers: [], needs: 'an automatic trigger' },
};

/**
 * The variables a distribution's messages can fill, from its trigger and purpose: a template
 * that uses another (`{{voucher.code}}` in a plain distribution) would send it empty, so it is
 * refused when saved.
 */
export function variableScope(trigger: DistributionTrigger, purpose: DistributionPurpose): VariableScope {
  const has = (root: string): boolean => {
    const source = SOURCES[root];
    if (!source) return true;
    if (root === 'event') return trigger.type !== 'manual';
    return purpose.type === source.purpose || (trigger.type !== 'manual' && source.triggers.includes(trigger.type));
  };
  const what =
    trigger.type === 'manual'
      ? `a manual ${purpose.type} distribution`
      : `a ${purpose.type} distribution triggered by ${trigger.type}`;
  return {
    has,
    why: (root) =>
      `${root}.* has no value in ${what}: it needs ${SOURCES[root]?.needs ?? 'another trigger or purpose'}`,
  };
}

/**
 * Which purposes and automatic triggers fill a family of variables, for the editor's picker
 * (`GET /v1/templates/variables`): both empty for the families that are always there. The same
 * table `variableScope` checks distributions against, so the two cannot disagree.
 */
export function variableSources(root: string): {
  purposes: Array<DistributionPurpose['type']>;
  triggers: AutomaticTrigger[];
} {
  const source = SOURCES[root];
  if (!source) return { purposes: [], triggers: [] };
  if (root === 'event') return { purposes: [], triggers: [...AUTOMATIC_TRIGGER_TYPES] };
  return { purposes: source.purpose ? [source.purpose] : [], triggers: [...source.triggers] };
}
