import { toVoucherJson } from '../campaigns/voucher-json';
import { customerRef } from '../customers/customer-json';
import { customerInput } from '../customers/customer-input';
import type { CustomerService } from '../customers/customer-service';
import { raiseEvent, withOutbox } from '../events/outbox';
import { AppError } from '../http/errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { RedemptionDoc, RedemptionOrder } from '../models/redemption';
import type { VoucherDoc } from '../models/voucher';
import { evaluateRules } from '../validation-rules/rules';
import type { ValidationRuleService } from '../validation-rules/validation-rule-service';
import { discountAmount, orderAmountOf } from './discount';
import { RedemptionTallies, type Reservation } from './redemption-tallies';

export interface CustomerRefInput {
  id?: string;
  source_id?: string | null;
  [field: string]: unknown;
}

export interface OrderInput {
  id?: string;
  source_id?: string;
  amount?: number | null;
  items?: Array<Record<string, unknown>>;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface StackableInput {
  redeemables: Array<{ object: string; id: string }>;
  customer?: CustomerRefInput;
  order?: OrderInput;
  tracking_id?: string;
  metadata?: Record<string, unknown>;
}

/** Why a code cannot be used: Voucherify's error object, as listed in `inapplicable_redeemables`. */
export interface RedeemableError {
  code: number;
  key: string;
  message: string;
  details: string;
  error?: { message: string };
}

interface Applicable {
  ok: true;
  code: string;
  voucher: VoucherDoc;
  campaign: CampaignDoc;
  discount: number;
}
interface Inapplicable {
  ok: false;
  code: string;
  object: string;
  error: RedeemableError;
}
type Check = Applicable | Inapplicable;

const MESSAGES: Record<string, string> = {
  voucher_disabled: 'voucher is disabled',
  voucher_expired: 'voucher expired',
  voucher_not_active: 'voucher not active yet',
  quantity_exceeded: 'quantity exceeded',
  customer_rules_violated: 'customer does not match validation rules',
  order_rules_violated: 'order does not match validation rules',
  redemption_rules_violated: 'redemption does not match validation rules',
};

function failure(key: string, details: string, ruleMessage?: string): RedeemableError {
  if (key === 'not_found') return { code: 404, key, message: 'Resource not found', details };
  return { code: 400, key, message: MESSAGES[key] ?? key, details, ...(ruleMessage ? { error: { message: ruleMessage } } : {}) };
}

function toAppError(e: RedeemableError, code: string): AppError {
  return new AppError(e.code, e.key, e.message, e.details, { ...(e.error ? { error: e.error } : {}), resource_id: code, resource_type: 'voucher' });
}

/**
 * Validates and redeems vouchers. A use is claimed by ONE conditional `$inc` on the voucher
 * (`redeemed_quantity < quantity`), so concurrent redemptions never pass the limit; the
 * redemption document is inserted with its event in its outbox. Rollback flips the
 * redemption's status first (conditionally, so it happens once) and then gives the use back.
 */
export class RedemptionService {
  private readonly tallies: RedemptionTallies;

  constructor(
    private readonly models: Models,
    private readonly customers: CustomerService,
    private readonly rules: ValidationRuleService,
    private readonly onEvents: (redemptionId: string) => void = () => undefined,
  ) {
    this.tallies = new RedemptionTallies(models);
  }

  async validate(input: StackableInput) {
    const customer = await this.findCustomer(input.customer);
    const amount = orderAmountOf(input.order);
    const checks = await this.checkAll(input, customer, amount);
    const applicable = checks.filter((c): c is Applicable => c.ok);
    const inapplicable = checks.filter((c): c is Inapplicable => !c.ok);
    const totalDiscount = applicable.reduce((s, c) => s + c.discount, 0);
    return {
      id: newId('valid'),
      valid: inapplicable.length === 0 && applicable.length > 0,
      redeemables: applicable.map((c) => this.applicableJson(c, amount)),
      inapplicable_redeemables: inapplicable.map((c) => ({ status: 'INAPPLICABLE' as const, id: c.code, object: c.object, result: { error: c.error } })),
      skipped_redeemables: [],
      order: orderJson(input.order, amount, totalDiscount),
      tracking_id: input.tracking_id ?? customer?.source_id ?? null,
      ...(customer ? { customer: customerRef(customer) } : {}),
    };
  }

  /** All or nothing: any inapplicable code fails the request with that code's error (Voucherify answers 400). */
  async redeemStackable(input: StackableInput) {
    const customer = await this.resolveCustomer(input.customer);
    const amount = orderAmountOf(input.order);
    const checks = await this.checkAll(input, customer, amount);
    const bad = checks.find((c): c is Inapplicable => !c.ok);
    if (bad) throw toAppError(bad.error, bad.code);
    const applicable = checks as Applicable[];
    if (applicable.length === 0) throw AppError.badRequest('missing_redeemables', 'No redeemables', 'give at least one redeemable');

    const claimed: Applicable[] = [];
    const reservations: Reservation[] = [];
    const undo = () => Promise.all([...claimed.map((done) => this.releaseUse(done.voucher._id)), ...reservations.map((r) => r.release())]);
    for (const c of applicable) {
      const error = await this.claimUse(c.voucher);
      if (error) {
        await undo();
        throw toAppError(error, c.code);
      }
      claimed.push(c);
      // The checks above read counts that a parallel request may change; the reserved counts cannot.
      const reservation = await this.tallies.reserve(c.voucher._id, c.campaign._id, customer?._id ?? null);
      reservations.push(reservation);
      const violation = await this.countRuleViolation(c, customer, amount, reservation);
      if (violation) {
        await undo();
        throw toAppError(violation, c.code);
      }
    }

    const parentId = newId('r');
    const totalDiscount = applicable.reduce((s, c) => s + c.discount, 0);
    const now = new Date();
    const docs = applicable.map((c) => this.redemptionDoc(c, customer, input, amount, now, applicable.length > 1 ? parentId : undefined));
    try {
      await this.models.Redemption.insertMany(docs);
    } catch (err) {
      await undo();
      throw err;
    }
    for (const d of docs) this.onEvents(d._id);
    const vouchers = await this.models.Voucher.find({ _id: { $in: applicable.map((c) => c.voucher._id) } }).lean();
    const byId = new Map(vouchers.map((v) => [v._id, v]));
    const redemptions = docs.map((d, i) => toRedemptionJson(d, byId.get(d.voucher_id) ?? applicable[i]!.voucher, applicable[i]!.campaign, customer));
    const order = orderJson(input.order, amount, totalDiscount);
    return {
      redemptions,
      parent_redemption: {
        id: docs.length === 1 ? docs[0]!._id : parentId,
        object: 'redemption' as const,
        date: now.toISOString(),
        customer_id: customer?._id ?? null,
        tracking_id: input.tracking_id ?? customer?.source_id ?? null,
        metadata: input.metadata ?? {},
        amount: totalDiscount,
        result: 'SUCCESS' as const,
        status: 'SUCCEEDED' as const,
        order,
        customer: customer ? customerRef(customer) : null,
        related_object_type: 'redemption' as const,
        related_object_id: docs.length === 1 ? docs[0]!._id : parentId,
      },
      order,
      inapplicable_redeemables: [],
      skipped_redeemables: [],
    };
  }

  /** The legacy single-code redemption (`POST /v1/vouchers/:code/redemption`). */
  async redeem(code: string, body: Omit<StackableInput, 'redeemables'>) {
    const result = await this.redeemStackable({ ...body, redeemables: [{ object: 'voucher', id: code }] });
    return result.redemptions[0]!;
  }

  async get(id: string) {
    const doc = await this.models.Redemption.findById(id).lean();
    if (!doc) throw AppError.notFound('redemption', id);
    const [voucher, customer] = await Promise.all([this.models.Voucher.findById(doc.voucher_id).lean(), doc.customer_id ? this.customers.find(doc.customer_id) : null]);
    const campaign = voucher ? await this.models.Campaign.findById(voucher.campaign_id).lean() : null;
    return toRedemptionJson(doc, voucher, campaign, customer);
  }

  async rollback(id: string, opts: { reason?: string; tracking_id?: string }) {
    const current = await this.models.Redemption.findById(id).lean();
    if (!current) throw AppError.notFound('redemption', id);
    if (current.status === 'ROLLED_BACK') throw alreadyRolledBack(id);
    if (current.status !== 'SUCCEEDED') throw AppError.badRequest('invalid_rollback_params', 'Cannot roll back', `redemption ${id} has status ${current.status}`);
    const customer = current.customer_id ? await this.customers.find(current.customer_id) : null;
    const now = new Date();
    const rollback = { id: newId('rr'), date: now, ...(opts.reason ? { reason: opts.reason } : {}), ...(opts.tracking_id ? { tracking_id: opts.tracking_id } : {}) };
    const event = raiseEvent(
      'customer.redemption.rollback.succeeded',
      { type: 'redemption', id },
      {
        customer: customer ? customerRef(customer) : null,
        redemption: { id, object: 'redemption', amount: current.amount },
        redemption_rollback: { id: rollback.id, object: 'redemption_rollback', reason: opts.reason ?? null },
        voucher: { id: current.voucher_id, code: current.voucher_code, campaign_id: current.campaign_id ?? null, object: 'voucher' },
      },
      current.customer_id,
      now,
    );
    // The status flip comes first and happens once: only its winner gives the use back.
    const flipped = await this.models.Redemption.findOneAndUpdate({ _id: id, status: 'SUCCEEDED' }, withOutbox<RedemptionDoc>({ $set: { status: 'ROLLED_BACK', rollback } }, [event]), { returnDocument: 'after' }).lean();
    if (!flipped) throw alreadyRolledBack(id);
    await Promise.all([this.releaseUse(current.voucher_id), current.campaign_id ? this.tallies.release(current.voucher_id, current.campaign_id, current.customer_id ?? null) : undefined]);
    this.onEvents(id);
    const voucher = await this.models.Voucher.findById(current.voucher_id).lean();
    const campaign = voucher ? await this.models.Campaign.findById(voucher.campaign_id).lean() : null;
    return {
      id: rollback.id,
      object: 'redemption_rollback' as const,
      date: now.toISOString(),
      customer_id: current.customer_id ?? null,
      tracking_id: opts.tracking_id ?? current.tracking_id ?? null,
      redemption: id,
      reason: opts.reason ?? null,
      amount: -current.amount,
      result: 'SUCCESS' as const,
      status: 'SUCCEEDED' as const,
      related_object_type: 'voucher' as const,
      related_object_id: current.voucher_id,
      voucher: voucher && campaign ? toVoucherJson(voucher, campaign) : null,
      customer: customer ? customerRef(customer) : null,
    };
  }

  private async checkAll(input: StackableInput, customer: CustomerDoc | null, amount: number | null): Promise<Check[]> {
    const checks: Check[] = [];
    let remaining = amount;
    for (const r of input.redeemables) {
      const c = await this.check(r, customer, remaining);
      if (c.ok && remaining !== null) remaining -= c.discount;
      checks.push(c);
    }
    return checks;
  }

  private async check(r: { object: string; id: string }, customer: CustomerDoc | null, amount: number | null): Promise<Check> {
    const code = r.id;
    const fail = (key: string, details: string, ruleMessage?: string): Inapplicable => ({ ok: false, code, object: r.object, error: failure(key, details, ruleMessage) });
    if (r.object !== 'voucher') return fail('not_found', `Cannot find ${r.object} with id ${code} (only vouchers are supported)`);
    const voucher = (await this.models.Voucher.findOne({ code }).lean()) ?? (await this.models.Voucher.findById(code).lean());
    const campaign = voucher ? await this.models.Campaign.findById(voucher.campaign_id).lean() : null;
    if (!voucher || !campaign) return fail('not_found', `Cannot find voucher with id ${code}`);
    const now = Date.now();
    if (!voucher.active || !campaign.active) return fail('voucher_disabled', `voucher ${code} is disabled`);
    const start = voucher.start_date ?? campaign.start_date;
    const end = voucher.expiration_date ?? campaign.expiration_date;
    if (end && new Date(end).getTime() < now) return fail('voucher_expired', `voucher ${code} expired at ${new Date(end).toISOString()}`);
    if (start && new Date(start).getTime() > now) return fail('voucher_not_active', `voucher ${code} starts at ${new Date(start).toISOString()}`);
    const { quantity, redeemed_quantity } = voucher.redemption;
    if (quantity !== null && quantity !== undefined && redeemed_quantity >= quantity) return fail('quantity_exceeded', `voucher ${code} was redeemed ${redeemed_quantity} of ${quantity} times`);

    for (const { rule, scope } of await this.rules.rulesFor(voucher._id, campaign._id)) {
      const scopeFilter = scope === 'campaign' ? { campaign_id: campaign._id } : { voucher_id: voucher._id };
      const [total, ofCustomer] = await Promise.all([
        this.models.Redemption.countDocuments({ ...scopeFilter, status: 'SUCCEEDED' }),
        customer ? this.models.Redemption.countDocuments({ ...scopeFilter, status: 'SUCCEEDED', customer_id: customer._id }) : Promise.resolve(Number.POSITIVE_INFINITY),
      ]);
      const violation = evaluateRules(rule.rules as Record<string, unknown>, { customerSegments: customer?.segments ?? null, orderAmount: amount, redemptionsOfCustomer: ofCustomer, redemptionsTotal: total }, rule.error);
      if (violation) return fail(violation.key, `rule ${violation.rule} (${violation.name}) of validation rule ${rule._id} is not met`, violation.message);
    }
    return { ok: true, code, voucher, campaign, discount: discountAmount(voucher.discount, amount) };
  }

  /** The first count rule that the reserved counts (this redemption's own place in them) break. */
  private async countRuleViolation(c: Applicable, customer: CustomerDoc | null, amount: number | null, reserved: Reservation): Promise<RedeemableError | null> {
    for (const { rule, scope } of await this.rules.rulesFor(c.voucher._id, c.campaign._id)) {
      const counts = reserved[scope];
      const violation = evaluateRules(rule.rules as Record<string, unknown>, { customerSegments: customer?.segments ?? null, orderAmount: amount, redemptionsOfCustomer: counts.ofCustomer, redemptionsTotal: counts.total }, rule.error);
      if (violation) return failure(violation.key, `rule ${violation.rule} (${violation.name}) of validation rule ${rule._id} is not met`, violation.message);
    }
    return null;
  }

  /** Takes one use of the voucher atomically; returns the error when none is left (or it was disabled meanwhile). */
  private async claimUse(voucher: VoucherDoc): Promise<RedeemableError | null> {
    const quantity = voucher.redemption.quantity;
    const filter = quantity === null || quantity === undefined ? { _id: voucher._id, active: true } : { _id: voucher._id, active: true, 'redemption.redeemed_quantity': { $lt: quantity } };
    const res = await this.models.Voucher.updateOne(filter, { $inc: { 'redemption.redeemed_quantity': 1 } });
    if (res.modifiedCount === 1) return null;
    const now = await this.models.Voucher.findById(voucher._id, { active: 1 }).lean();
    if (now && !now.active) return failure('voucher_disabled', `voucher ${voucher.code} is disabled`);
    return failure('quantity_exceeded', `voucher ${voucher.code} has no redemptions left`);
  }

  private async releaseUse(voucherId: string): Promise<void> {
    await this.models.Voucher.updateOne({ _id: voucherId, 'redemption.redeemed_quantity': { $gt: 0 } }, { $inc: { 'redemption.redeemed_quantity': -1 } });
  }

  private redemptionDoc(c: Applicable, customer: CustomerDoc | null, input: StackableInput, amount: number | null, now: Date, parentId?: string): RedemptionDoc {
    const _id = newId('r');
    const order: RedemptionOrder = {
      ...(input.order?.id ? { id: input.order.id } : {}),
      ...(input.order?.source_id ? { source_id: input.order.source_id } : {}),
      amount,
      discount_amount: c.discount,
      total_amount: amount === null ? null : amount - c.discount,
      ...(input.order?.items ? { items: input.order.items } : {}),
      ...(input.order?.metadata ? { metadata: input.order.metadata } : {}),
    };
    const event = raiseEvent(
      'customer.redemption.succeeded',
      { type: 'redemption', id: _id },
      {
        customer: customer ? customerRef(customer) : null,
        redemption: { id: _id, object: 'redemption', amount: c.discount, date: now.toISOString() },
        voucher: { id: c.voucher._id, code: c.voucher.code, campaign_id: c.campaign._id, object: 'voucher' },
        campaign: { id: c.campaign._id, name: c.campaign.name, object: 'campaign' },
        order,
      },
      customer?._id,
      now,
    );
    return {
      _id,
      ...(parentId ? { parent_redemption_id: parentId } : {}),
      date: now,
      ...(customer ? { customer_id: customer._id } : {}),
      ...(input.tracking_id ? { tracking_id: input.tracking_id } : customer?.source_id ? { tracking_id: customer.source_id } : {}),
      metadata: input.metadata ?? {},
      amount: c.discount,
      order,
      result: 'SUCCESS',
      status: 'SUCCEEDED',
      voucher_id: c.voucher._id,
      voucher_code: c.voucher.code,
      campaign_id: c.campaign._id,
      _outbox: [event],
      outbox_pending: true,
      created_at: now,
      updated_at: now,
    };
  }

  private applicableJson(c: Applicable, amount: number | null) {
    return {
      status: 'APPLICABLE' as const,
      id: c.code,
      object: 'voucher' as const,
      order: { amount, discount_amount: c.discount, total_amount: amount === null ? null : amount - c.discount },
      applicable_to: { data: [], total: 0, object: 'list' as const },
      inapplicable_to: { data: [], total: 0, object: 'list' as const },
      result: { discount: { ...(c.voucher.discount ?? {}), amount: c.discount } },
      metadata: c.voucher.metadata ?? {},
      categories: [],
    };
  }

  /** Validation only looks customers up: it never creates one. */
  private async findCustomer(ref: CustomerRefInput | undefined): Promise<CustomerDoc | null> {
    if (!ref) return null;
    if (ref.id) return this.customers.find(ref.id);
    if (ref.source_id) return this.customers.find(ref.source_id);
    return null;
  }

  /** Redemption creates an unknown customer given by source_id, as Voucherify does. */
  private async resolveCustomer(ref: CustomerRefInput | undefined): Promise<CustomerDoc | null> {
    if (!ref) return null;
    const found = await this.findCustomer(ref);
    if (found) return found;
    if (ref.id && !ref.source_id) throw AppError.notFound('customer', ref.id);
    if (!ref.source_id) return null;
    const { id: _ignored, ...fields } = ref;
    const parsed = customerInput.safeParse(fields);
    return this.customers.upsert(parsed.success ? parsed.data : { source_id: ref.source_id });
  }
}

function alreadyRolledBack(id: string): AppError {
  return AppError.badRequest('already_rolled_back', 'Redemption has already been rolled back', `redemption ${id} was already rolled back`, { resource_id: id, resource_type: 'redemption' });
}

function orderJson(order: OrderInput | undefined, amount: number | null, discount: number) {
  return {
    ...(order?.id ? { id: order.id } : {}),
    ...(order?.source_id ? { source_id: order.source_id } : {}),
    amount,
    discount_amount: discount,
    total_discount_amount: discount,
    applied_discount_amount: discount,
    total_applied_discount_amount: discount,
    total_amount: amount === null ? null : amount - discount,
    items: order?.items ?? [],
    metadata: order?.metadata ?? {},
    object: 'order' as const,
  };
}

export function toRedemptionJson(d: RedemptionDoc, voucher: VoucherDoc | null, campaign: Pick<CampaignDoc, 'name'> | null, customer: CustomerDoc | null) {
  return {
    id: d._id,
    object: 'redemption' as const,
    date: d.date.toISOString(),
    customer_id: d.customer_id ?? null,
    tracking_id: d.tracking_id ?? null,
    metadata: d.metadata ?? {},
    amount: d.amount,
    redemption: d.parent_redemption_id ?? null,
    result: d.result,
    status: d.status,
    order: d.order ? { ...d.order, object: 'order' as const } : null,
    channel: { channel_type: 'API' as const },
    customer: customer ? customerRef(customer) : null,
    related_object_type: 'voucher' as const,
    related_object_id: d.voucher_id,
    voucher: voucher && campaign ? toVoucherJson(voucher, campaign) : { id: d.voucher_id, code: d.voucher_code, object: 'voucher' as const },
    ...(d.rollback ? { rollback: { id: d.rollback.id, date: new Date(d.rollback.date).toISOString(), reason: d.rollback.reason ?? null } } : {}),
  };
}
