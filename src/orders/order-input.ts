import { z } from 'zod';
import { customerInput, metadataInput } from '../customers/customer-input';
import { WRITABLE_ORDER_STATUSES } from '../models/order';

export const MAX_ORDER_ITEMS = 500;

/** Voucherify's amounts: non-negative integers in the smallest currency unit (cents). */
const money = z.number().int('must be an integer in the smallest currency unit').min(0);
const count = z.number().int().min(0);
const ref = z.string().trim().min(1).max(200);

const productInput = z.strictObject({
  id: ref.optional(),
  source_id: ref.optional(),
  override: z.boolean().optional(),
  name: z.string().max(500).optional(),
  metadata: metadataInput.optional(),
  price: money.optional(),
});

const skuInput = z.strictObject({
  id: ref.optional(),
  source_id: ref.optional(),
  override: z.boolean().optional(),
  sku: z.string().max(500).optional(),
  price: money.optional(),
});

export const orderItemInput = z.strictObject({
  sku_id: ref.optional(),
  product_id: ref.optional(),
  related_object: z.enum(['product', 'sku']).optional(),
  source_id: ref.optional(),
  quantity: count.optional(),
  discount_quantity: count.optional(),
  initial_quantity: count.optional(),
  price: money.optional(),
  amount: money.optional(),
  discount_amount: money.optional(),
  initial_amount: money.optional(),
  product: productInput.optional(),
  sku: skuInput.optional(),
  /** Accepted so items read from the API can be sent back as they are. */
  object: z.literal('order_item').optional(),
  metadata: metadataInput.optional(),
});

/**
 * The order's customer: a customer id or source_id, or a customer object (upserted like
 * `POST /customers`: Voucherify creates customers implicitly from orders).
 */
export const orderCustomerInput = z.union([ref, customerInput], {
  error: 'must be a customer id / source_id or a customer object',
});

/**
 * An order as the API takes it; create and update share it (absent fields are kept on
 * update). Computed totals (`total_amount`, …) are refused rather than silently ignored.
 */
export const orderInput = z.strictObject({
  id: z.string().max(100).optional(),
  object: z.literal('order').optional(),
  source_id: ref.optional(),
  status: z.enum(WRITABLE_ORDER_STATUSES).optional(),
  /** Defaults to the sum of the items' amounts. */
  amount: money.optional(),
  /** The amount before any discount; defaults to `amount`. */
  initial_amount: money.optional(),
  /** Order-level discount; item discounts add to it in `total_discount_amount`. */
  discount_amount: money.optional(),
  items: z.array(orderItemInput).max(MAX_ORDER_ITEMS).optional(),
  metadata: metadataInput.nullable().optional(),
  customer: orderCustomerInput.optional(),
  /** An existing customer's id or source_id; an alternative to `customer`. */
  customer_id: ref.optional(),
});

export type OrderInput = z.infer<typeof orderInput>;
export type OrderCustomerInput = z.infer<typeof orderCustomerInput>;
