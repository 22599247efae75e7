/** The seed's names for what the API calls by key. */
export const TRIGGERS: Array<{ value: string; label: string; group: string; scope: 'none' | 'segment' | 'campaign' | 'order' }> = [
  { value: 'manual', label: 'Manual: send once to a segment or a customer', group: 'Manual', scope: 'none' },
  { value: 'customer_entered_segment', label: 'Customer entered segment', group: 'Segment changes', scope: 'segment' },
  { value: 'customer_left_segment', label: 'Customer left segment', group: 'Segment changes', scope: 'segment' },
  { value: 'gift_credits_added', label: 'Gift credits added', group: 'Voucher activity', scope: 'campaign' },
  { value: 'loyalty_points_added', label: 'Loyalty points added', group: 'Voucher activity', scope: 'campaign' },
  { value: 'voucher_redeemed', label: 'Voucher redeemed', group: 'Voucher activity', scope: 'campaign' },
  { value: 'voucher_redemption_rollback', label: 'Voucher redemption rollback', group: 'Voucher activity', scope: 'campaign' },
  { value: 'reward_redeemed', label: 'Reward redeemed', group: 'Voucher activity', scope: 'campaign' },
  { value: 'order_created', label: 'Order created', group: 'Order status', scope: 'order' },
  { value: 'order_updated', label: 'Order updated', group: 'Order status', scope: 'order' },
  { value: 'order_paid', label: 'Order has been paid', group: 'Order status', scope: 'order' },
  { value: 'order_canceled', label: 'Order canceled', group: 'Order status', scope: 'order' },
  { value: 'voucher_published', label: 'Successful code publication', group: 'Code publication', scope: 'campaign' },
  { value: 'customer_referred', label: 'Customer referred', group: 'Referral', scope: 'campaign' },
];

export function triggerLabel(type: string): string {
  return TRIGGERS.find((t) => t.value === type)?.label.replace(/:.*/, '') ?? type;
}

export const PURPOSES: Record<string, string> = {
  unique_code: 'Send and publish unique codes',
  promotion: 'Notify about a promotion',
  plain: 'Plain message',
};

export const STATUSES: Array<{ value: string; label: string; color: string }> = [
  { value: 'waiting_for_audience', label: 'Waiting for audience', color: 'yellow' },
  { value: 'scheduled', label: 'Scheduled', color: 'blue' },
  { value: 'sending', label: 'Sending', color: 'cyan' },
  { value: 'completed', label: 'Completed', color: 'green' },
  { value: 'cancelled', label: 'Cancelled', color: 'gray' },
  { value: 'stopped', label: 'Stopped', color: 'red' },
  { value: 'active', label: 'Active', color: 'teal' },
  { value: 'paused', label: 'Paused', color: 'orange' },
];

export function statusOf(value: string) {
  return STATUSES.find((s) => s.value === value) ?? { value, label: value, color: 'gray' };
}

/** In the browser's time zone and locale. */
export function formatDate(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
