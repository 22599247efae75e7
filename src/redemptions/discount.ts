/** Order amount in cents: `amount`, else the items' `amount` or `price × quantity`; null when unknown. */
export function orderAmountOf(
  order: { amount?: number | null; items?: Array<Record<string, unknown>> } | undefined,
): number | null {
  if (!order) return null;
  if (typeof order.amount === 'number') return order.amount;
  if (!order.items?.length) return null;
  let sum = 0;
  for (const item of order.items) {
    if (typeof item.amount === 'number') sum += item.amount;
    else if (typeof item.price === 'number')
      sum += item.price * (typeof item.quantity === 'number' ? item.quantity : 1);
    else return null;
  }
  return sum;
}

/**
 * The discount a voucher gives on `amount` cents: PERCENT (`percent_off`, capped by
 * `amount_limit`) or AMOUNT (`amount_off`); never more than the amount itself. Unknown
 * amount or other discount types give 0.
 */
export function discountAmount(discount: Record<string, unknown> | undefined | null, amount: number | null): number {
  if (!discount || amount === null || amount <= 0) return 0;
  let value = 0;
  if (discount.type === 'PERCENT' && typeof discount.percent_off === 'number') {
    value = Math.round((amount * discount.percent_off) / 100);
    if (typeof discount.amount_limit === 'number' && discount.amount_limit > 0)
      value = Math.min(value, discount.amount_limit);
  } else if (discount.type === 'AMOUNT' && typeof discount.amount_off === 'number') {
    value = discount.amount_off;
  }
  return Math.max(0, Math.min(value, amount));
}
