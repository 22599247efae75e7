/**
 * The automatic triggers the seed lists, each with the domain event that fires it and what
 * narrows it: `segment` triggers fire for one segment, `campaign` triggers only for codes of
 * the distribution's campaign, `order` triggers for every order of a customer. A contract: a
 * distribution's workflow carries its trigger type (the `Trigger` search attribute), and the
 * distribution model stores it.
 */
export const AUTOMATIC_TRIGGERS = {
  customer_entered_segment: { event: 'customer.segment.entered', scope: 'segment' },
  customer_left_segment: { event: 'customer.segment.left', scope: 'segment' },
  gift_credits_added: { event: 'customer.voucher.gift.balance_added', scope: 'campaign' },
  loyalty_points_added: { event: 'customer.voucher.loyalty_card.points_added', scope: 'campaign' },
  voucher_redeemed: { event: 'customer.redemption.succeeded', scope: 'campaign' },
  voucher_redemption_rollback: { event: 'customer.redemption.rollback.succeeded', scope: 'campaign' },
  reward_redeemed: { event: 'customer.rewarded', scope: 'campaign' },
  order_created: { event: 'customer.order.created', scope: 'order' },
  order_updated: { event: 'customer.order.updated', scope: 'order' },
  order_paid: { event: 'customer.order.paid', scope: 'order' },
  order_canceled: { event: 'customer.order.canceled', scope: 'order' },
  voucher_published: { event: 'voucher.published', scope: 'campaign' },
  /** Voucherify's "Customer referred": a referred customer's redemption of a referral program's code. */
  customer_referred: { event: 'customer.referred', scope: 'campaign' },
} as const satisfies Record<string, { event: string; scope: 'segment' | 'campaign' | 'order' }>;

export type AutomaticTrigger = keyof typeof AUTOMATIC_TRIGGERS;
export type TriggerType = 'manual' | AutomaticTrigger;
