import { variableSources } from '../distributions/variable-scope';
import { knownPaths } from './fields';
import { CUSTOMER_DATA_VARIABLES, type Description } from './variable-catalog-customer-data';

/** One template variable as the editor's picker shows it (`GET /v1/templates/variables`). */
export interface TemplateVariable {
  /** The path inside `{{ … }}`; `<key>` stands for any key below it. */
  name: string;
  description: string;
  /** What it renders as, e.g. `Ada Lovelace`. */
  example: string;
  /** Distribution purposes that fill it; with `triggers` both empty: always there. */
  purposes: string[];
  /** Automatic triggers that fill it. */
  triggers: string[];
}

/**
 * What each variable of `TEMPLATE_FIELDS` holds, as `messageVariables` fills it
 * (src/templates/message-variables.ts). Amounts are in the smallest currency unit (cents), as
 * Voucherify keeps them; dates are ISO 8601. A test checks that every known path has an entry.
 */
const BASE_CATALOG: readonly Description[] = [
  {
    name: 'unsubscribe_url',
    description: "Signed link that opts the customer out of this channel's messages (a confirmation page first)",
    example: 'https://promo.example.com/public/unsubscribe?c=cust_…&ch=email&sig=…',
  },
  { name: 'customer.id', description: "The customer's id in this service", example: 'cust_0a1b2c3d4e5f' },
  {
    name: 'customer.source_id',
    description: 'Your own id for the customer; empty when none was given',
    example: 'crm-1042',
  },
  { name: 'customer.name', description: "The customer's name", example: 'Ada Lovelace' },
  { name: 'customer.email', description: "The customer's email address", example: 'ada@example.com' },
  { name: 'customer.phone', description: "The customer's phone number", example: '+447700900123' },
  {
    name: 'customer.metadata.<key>',
    description: 'Any metadata field of the customer, e.g. customer.metadata.city',
    example: 'London',
  },
  {
    name: 'voucher.code',
    description: 'The code: published for the customer by a unique_code distribution, or the one the event concerns',
    example: 'SPRING-7F3K',
  },
  { name: 'voucher.type', description: 'DISCOUNT_VOUCHER, GIFT_VOUCHER or LOYALTY_CARD', example: 'DISCOUNT_VOUCHER' },
  {
    name: 'voucher.discount',
    description:
      'The discount as a customer reads it: a percentage, an amount (cents shown as units), units of an item, or free shipping',
    example: '10%',
  },
  {
    name: 'voucher.expiration_date',
    description: 'When the code expires (ISO 8601); empty when it does not',
    example: '2026-12-31T23:59:59.000Z',
  },
  {
    name: 'voucher.start_date',
    description: 'When the code becomes valid (ISO 8601); empty when at once',
    example: '2026-03-01T00:00:00.000Z',
  },
  { name: 'voucher.gift.balance', description: "A gift card's remaining balance, in cents", example: '5000' },
  { name: 'voucher.gift.amount', description: "A gift card's initial amount, in cents", example: '10000' },
  { name: 'voucher.loyalty_card.balance', description: "A loyalty card's points balance", example: '1200' },
  { name: 'voucher.loyalty_card.points', description: "A loyalty card's points earned in total", example: '1500' },
  {
    name: 'voucher.qr_url',
    description: "Signed URL of the code's QR code (PNG), to use as an image source",
    example: 'https://promo.example.com/public/codes/SPRING-7F3K/qr.png?sig=…',
  },
  {
    name: 'voucher.barcode_url',
    description: "Signed URL of the code's Code 128 barcode (PNG), to use as an image source",
    example: 'https://promo.example.com/public/codes/SPRING-7F3K/barcode.png?sig=…',
  },
  { name: 'loyalty.balance', description: 'Short for voucher.loyalty_card.balance', example: '1200' },
  { name: 'loyalty.points', description: 'Short for voucher.loyalty_card.points', example: '1500' },
  { name: 'gift.balance', description: 'Short for voucher.gift.balance', example: '5000' },
  { name: 'gift.amount', description: 'Short for voucher.gift.amount', example: '10000' },
  { name: 'campaign.id', description: "The code's campaign id", example: 'camp_9z8y7x' },
  { name: 'campaign.name', description: "The code's campaign name", example: 'Spring sale' },
  { name: 'campaign.description', description: "The campaign's description", example: '15% off everything until May' },
  {
    name: 'campaign.type',
    description: 'The campaign type, e.g. DISCOUNT_COUPONS, GIFT_VOUCHERS, LOYALTY_PROGRAM',
    example: 'DISCOUNT_COUPONS',
  },
  {
    name: 'campaign.start_date',
    description: 'When the campaign starts (ISO 8601)',
    example: '2026-03-01T00:00:00.000Z',
  },
  {
    name: 'campaign.expiration_date',
    description: 'When the campaign ends (ISO 8601)',
    example: '2026-05-31T23:59:59.000Z',
  },
  { name: 'order.id', description: "The order's id", example: 'ord_5e6f7a' },
  { name: 'order.source_id', description: 'Your own id for the order', example: 'shop-88231' },
  { name: 'order.status', description: 'CREATED, PAID, CANCELED or FULFILLED', example: 'PAID' },
  { name: 'order.amount', description: 'Order amount before discounts, in cents', example: '12000' },
  { name: 'order.total_amount', description: 'Order amount after discounts, in cents', example: '10200' },
  { name: 'order.currency', description: "The order's currency (or its metadata.currency)", example: 'EUR' },
  { name: 'reward.id', description: 'The redeemed reward id', example: 'rew_1a2b3c' },
  { name: 'reward.name', description: 'The redeemed reward name', example: 'Free coffee' },
  { name: 'balance.amount', description: 'What was added: gift credits in cents, or loyalty points', example: '250' },
  { name: 'balance.points', description: 'Loyalty points added (loyalty events)', example: '250' },
  { name: 'promotion.id', description: 'The promotion tier id', example: 'promo_4d5e6f' },
  { name: 'promotion.name', description: 'The promotion tier name', example: 'Weekend 20% off' },
  { name: 'promotion.banner', description: "The tier's banner text", example: '20% off this weekend only' },
  { name: 'promotion.discount_description', description: "The tier's discount as a customer reads it", example: '20%' },
  {
    name: 'promotion.start_date',
    description: 'When the promotion starts (ISO 8601)',
    example: '2026-06-06T00:00:00.000Z',
  },
  {
    name: 'promotion.expiration_date',
    description: 'When the promotion ends (ISO 8601)',
    example: '2026-06-07T23:59:59.000Z',
  },
  { name: 'distribution.id', description: 'The distribution sending the message', example: 'distr_7g8h9i' },
  { name: 'distribution.name', description: "The distribution's name", example: 'Spring welcome' },
  { name: 'event.type', description: 'The event that fired an automatic distribution', example: 'customer.order.paid' },
  { name: 'event.id', description: 'The id of that event', example: 'evt_2b3c4d' },
];

/** The base descriptions and the customer-data ones (src/templates/variable-catalog-customer-data.ts). */
export const VARIABLE_CATALOG: readonly Description[] = [...BASE_CATALOG, ...CUSTOMER_DATA_VARIABLES];

/**
 * Every variable a template may use, in `TEMPLATE_FIELDS` order, with its description and what
 * fills it (from the table distributions are checked against: src/distributions/variable-scope.ts).
 */
export function templateVariables(): TemplateVariable[] {
  const described = new Map(VARIABLE_CATALOG.map((d) => [d.name, d]));
  return knownPaths().map((name) => {
    const d = described.get(name);
    const root = name.includes('.') ? name.slice(0, name.indexOf('.')) : name;
    return { name, description: d?.description ?? '', example: d?.example ?? '', ...variableSources(root) };
  });
}
