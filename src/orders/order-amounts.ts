import { DomainError } from '../errors';
import type { OrderDoc, OrderItem } from '../models/order';
import type { OrderInput } from './order-input';

type ItemInput = NonNullable<OrderInput['items']>[number];

export type OrderAmounts = Pick<
  OrderDoc,
  'amount' | 'initial_amount' | 'discount_amount' | 'items_discount_amount' | 'total_discount_amount' | 'total_amount'
>;

function invalid(field: string, reason: string): DomainError {
  return DomainError.invalid('invalid_order', 'Invalid order', `${field}: ${reason}`, { errors: [{ field, reason }] });
}

function safe(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw invalid(field, 'is too large');
  return value;
}

/** Items as stored: `amount` filled in from price × quantity where the caller left it out. */
export function storedItems(items: ItemInput[]): OrderItem[] {
  return items.map(({ object: _object, ...item }, i) => {
    if (item.amount !== undefined || item.price === undefined || item.quantity === undefined) return item;
    return { ...item, amount: safe(item.price * item.quantity, `items.${i}.amount`) };
  });
}

/**
 * The order's money fields after a write. `amount` follows the items (when they carry
 * prices or amounts) unless given in the same request, so editing the items of an order
 * keeps its total right; `initial_amount` follows `amount` unless given.
 */
export function orderAmounts(previous: OrderAmounts | undefined, input: OrderInput, items: OrderItem[]): OrderAmounts {
  const itemAmounts = items.map((i) => i.amount).filter((a): a is number => a !== undefined);
  const fromItems =
    itemAmounts.length > 0
      ? safe(
          itemAmounts.reduce((a, b) => a + b, 0),
          'amount',
        )
      : undefined;
  const amount = input.amount ?? (input.items !== undefined ? fromItems : undefined) ?? previous?.amount;
  const amountChanged = !previous || amount !== previous.amount;
  const initial_amount = input.initial_amount ?? (amountChanged ? amount : (previous.initial_amount ?? amount));
  const discount_amount = input.discount_amount ?? previous?.discount_amount ?? 0;
  const items_discount_amount = safe(
    items.reduce((sum, i) => sum + (i.discount_amount ?? 0), 0),
    'items_discount_amount',
  );
  const total_discount_amount = safe(discount_amount + items_discount_amount, 'total_discount_amount');
  if (amount !== undefined && total_discount_amount > amount) {
    throw invalid('discount_amount', `the discounts (${total_discount_amount}) exceed the order amount (${amount})`);
  }
  return {
    amount,
    initial_amount,
    discount_amount,
    items_discount_amount,
    total_discount_amount,
    total_amount: amount === undefined ? undefined : amount - total_discount_amount,
  };
}
