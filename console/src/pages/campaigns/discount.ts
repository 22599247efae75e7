import type { Discount } from '../../api/types';

/** "20% off", "€5.00 off" — amounts are in cents, as in Voucherify. */
export function discountLabel(d: Discount | undefined): string {
  if (!d) return '—';
  switch (d.type) {
    case 'PERCENT':
      return `${d.percent_off ?? 0}% off`;
    case 'AMOUNT':
      return `${((d.amount_off ?? 0) / 100).toFixed(2)} off`;
    case 'FIXED':
      return `fixed price ${((d.fixed_amount ?? 0) / 100).toFixed(2)}`;
    case 'UNIT':
      return `${d.unit_off ?? 1} × ${d.unit_type ?? 'unit'} free`;
  }
}
