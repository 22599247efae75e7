import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import { cockpitUrl, codeImageUrl, unsubscribeUrl, type PublicLinks } from './signed-links';

/** A voucher as a doc, or as an event's `data.voucher` carries it (code and a few fields). */
export interface VoucherLike {
  _id?: string;
  id?: string;
  code: string;
  type?: string;
  discount?: unknown;
  gift?: unknown;
  loyalty_card?: unknown;
  start_date?: Date | string | null;
  expiration_date?: Date | string | null;
}

export interface MessageVariablesInput {
  customer: CustomerDoc;
  /** A `DistributionDoc` (`_id`) or its JSON (`id`). */
  distribution: { _id?: string; id?: string; name: string };
  voucher?: VoucherLike;
  campaign?: Pick<CampaignDoc, '_id' | 'name'> &
    Partial<Pick<CampaignDoc, 'campaign_type' | 'start_date' | 'expiration_date' | 'referral_program'>> & {
      description?: string | null;
    };
  /** The event that fired an automatic distribution; its Voucherify-shaped `data` fills order, reward, balance… */
  event?: { _id: string; type: string; data?: unknown };
  /** Where public links point and their signing key: without it `voucher.qr_url`, `voucher.barcode_url` and `unsubscribe_url` are absent. */
  links?: PublicLinks;
  /** The tier a "notify about a promotion" distribution names (`promotionTierForMessage`). */
  promotionTier?: Record<string, unknown>;
  /** The opt-out `unsubscribe_url` records (the channel's `unsubscribeKey`: `email`, `sms`, …); `all` when not given. */
  unsubscribeChannel?: string;
}

/**
 * The values a template can use (see `TEMPLATE_FIELDS`), from the domain docs and the firing
 * event. Missing things are `null`, so every channel sees the same keys; webhooks and CRMs
 * get this object as it is.
 */
export function messageVariables(input: MessageVariablesInput): Record<string, unknown> {
  const { customer, distribution, event } = input;
  const data = isRecord(event?.data) ? event.data : {};
  const vars: Record<string, unknown> = {
    customer: {
      id: customer._id,
      source_id: customer.source_id ?? null,
      name: customer.name ?? null,
      email: customer.email ?? null,
      phone: customer.phone ?? null,
      birthdate: customer.birthdate ?? null,
      address: Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, customer.address?.[f] ?? null])),
      loyalty: {
        points: numberOr0(customer.loyalty?.points),
        referred_customers: numberOr0(customer.loyalty?.referred_customers),
      },
      metadata: customer.metadata ?? {},
    },
    distribution: { id: distribution._id ?? distribution.id ?? null, name: distribution.name },
  };

  const { links } = input;
  // Without links (tests, CRM payload checks) the link variables are left out rather than null: a null URL would render an empty href.
  if (links) {
    vars.unsubscribe_url = unsubscribeUrl(links, customer._id, input.unsubscribeChannel ?? 'all');
    vars.cockpit_url = cockpitUrl(links, customer._id);
  }

  const voucher =
    input.voucher ??
    (isRecord(data.voucher) && typeof data.voucher.code === 'string'
      ? (data.voucher as unknown as VoucherLike)
      : undefined);
  if (voucher) {
    const v = voucherVariables(voucher);
    if (links) {
      v.qr_url = codeImageUrl(links, voucher.code, 'qr');
      v.barcode_url = codeImageUrl(links, voucher.code, 'barcode');
    }
    vars.voucher = v;
    if (isRecord(v.loyalty_card))
      vars.loyalty = { balance: v.loyalty_card.balance ?? null, points: v.loyalty_card.points ?? null };
    if (isRecord(v.gift)) vars.gift = { balance: v.gift.balance ?? null, amount: v.gift.amount ?? null };
  }

  if (input.campaign) {
    const c = input.campaign;
    vars.campaign = {
      id: c._id,
      name: c.name,
      description: c.description ?? null,
      type: c.campaign_type ?? null,
      start_date: dateText(c.start_date),
      expiration_date: dateText(c.expiration_date),
    };
  } else if (isRecord(data.campaign)) {
    const c = data.campaign;
    vars.campaign = {
      ...pick(c, ['id', 'name', 'description']),
      type: c.campaign_type ?? c.type ?? null,
      start_date: dateText(c.start_date),
      expiration_date: dateText(c.expiration_date),
    };
  }

  if (isRecord(data.order)) {
    const order = data.order;
    const metadata = isRecord(order.metadata) ? order.metadata : {};
    vars.order = {
      ...pick(order, ['id', 'source_id', 'status', 'amount', 'total_amount']),
      currency: order.currency ?? metadata.currency ?? null,
    };
  }
  if (isRecord(data.reward)) vars.reward = pick(data.reward, ['id', 'name', 'type', 'value']);
  // A referral's own event names its reward; a referral code's message reads it from the campaign.
  const referralReward =
    isRecord(data.referral) && isRecord(data.referral.reward)
      ? data.referral.reward
      : input.campaign?.referral_program?.referrer_reward;
  if (referralReward)
    vars.referral = { reward: referralReward.value ?? null, reward_name: referralReward.name ?? null };
  if (isRecord(data.balance)) {
    const b = data.balance;
    // A loyalty card's balance is in points: `amount` of a points_added event is points.
    const inPoints = event?.type.includes('loyalty_card') ?? false;
    vars.balance = { amount: b.amount ?? null, points: b.points ?? (inPoints ? (b.amount ?? null) : null) };
  }
  const promotion =
    input.promotionTier ??
    (isRecord(data.promotion_tier) ? data.promotion_tier : isRecord(data.promotion) ? data.promotion : undefined);
  if (promotion) {
    vars.promotion = {
      ...pick(promotion, ['id', 'name', 'banner']),
      discount_description:
        promotion.discount_description ?? (isRecord(promotion.action) ? discountText(promotion.action.discount) : null),
      start_date: dateText(promotion.start_date),
      expiration_date: dateText(promotion.expiration_date),
    };
  }
  if (event) vars.event = { type: event.type, id: event._id };
  return vars;
}

const ADDRESS_FIELDS = ['city', 'state', 'line_1', 'line_2', 'country', 'postal_code'] as const;

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function voucherVariables(v: VoucherLike): Record<string, unknown> {
  const gift = isRecord(v.gift) ? v.gift : undefined;
  const card = isRecord(v.loyalty_card) ? v.loyalty_card : undefined;
  return {
    code: v.code,
    type: v.type ?? null,
    discount: discountText(v.discount),
    start_date: dateText(v.start_date),
    expiration_date: dateText(v.expiration_date),
    ...(gift ? { gift: { balance: gift.balance ?? null, amount: gift.amount ?? null } } : {}),
    ...(card ? { loyalty_card: { balance: card.balance ?? null, points: card.points ?? null } } : {}),
  };
}

/** Voucherify's free shipping: a UNIT discount of this pseudo product. */
export const FREE_SHIPPING_UNIT = 'prod_5h1pp1ng';

/**
 * A discount as a customer reads it: `10%`, `5.00` (Voucherify amounts are in cents), `2 × item`,
 * `free shipping`. Currency symbols are the template's business: it knows the market.
 */
export function discountText(discount: unknown): string | null {
  if (!isRecord(discount)) return null;
  const money = (cents: unknown): string | null => (typeof cents === 'number' ? (cents / 100).toFixed(2) : null);
  switch (discount.type) {
    case 'PERCENT':
      return typeof discount.percent_off === 'number' ? `${discount.percent_off}%` : null;
    case 'AMOUNT':
      return money(discount.amount_off);
    case 'FIXED':
      return money(discount.fixed_amount);
    case 'UNIT':
      if (discount.unit_type === FREE_SHIPPING_UNIT) return 'free shipping';
      return typeof discount.unit_off === 'number'
        ? `${discount.unit_off}${typeof discount.unit_type === 'string' ? ` × ${discount.unit_type}` : ''}`
        : null;
    default:
      return null;
  }
}

function dateText(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return typeof value === 'string' && value !== '' ? value : null;
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, source[k] ?? null]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
