import { toVoucherJson } from '../campaigns/voucher-json';
import { customerRef } from '../customers/customer-json';
import { customerInput } from '../customers/customer-input';
import type { CustomerService } from '../customers/customer-service';
import { raiseEvent, withOutbox } from '../events/outbox';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { PromotionTierDoc } from '../models/promotion-tier';
import type { RedemptionDoc, RedemptionOrder } from '../models/redemption';
import type { ValidationRuleAssignmentDoc } from '../models/validation-rule';
import type { VoucherDoc } from '../models/voucher';
import { tierUnavailable } from '../promotions/tier-availability';
import { tierWithCampaign } from '../promotions/tier-lookup';
import { tierRefJson, toTierJson } from '../promotions/tier-json';
import { evaluateRules, isAudienceRule, type Violation } from '../validation-rules/rules';
import type { ValidationRuleService } from '../validation-rules/validation-rule-service';
import { discountAmount, orderAmountOf } from './discount';
import { referralRewardEvent, referrerOf, type CustomerRefInput } from './referral';
import { RedemptionTallies, type RedeemedObject, type Reservation } from './redemption-tallies';

export type { CustomerRefInput } from './referral';

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
  /** Voucherify's `referrer` of a referral code's redemption (its holder). */
  referrer?: CustomerRefInput;
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

/** What a redeemable names once found: a code of a campaign, or a promotion tier of one. */
export type Target =
  | { object: 'voucher'; voucher: VoucherDoc; campaign: CampaignDoc }
  | { object: 'promotion_tier'; tier: PromotionTierDoc; campaign: CampaignDoc };

export interface Applicable {
  ok: true;
  /** The id the request gave: a code (or voucher id), or a tier id. */
  code: string;
  target: Target;
  discount: number;
}
export interface Inapplicable {
  ok: false;
  code: string;
  object: string;
  error: RedeemableError;
  /** The voucher or tier, when it exists: a refused redemption of it is recorded. */
  target?: Target;
}
export type Check = Applicable | Inapplicable;

/** Only the audience rules (`customer.*`) are asked about, e.g. the legacy promotions validation's `audienceRulesOnly`. */
export interface CheckOptions {
  audienceOnly?: boolean;
}

function objectOf(t: Target): RedeemedObject {
  return t.object === 'voucher' ? { type: 'voucher', id: t.voucher._id } : { type: 'promotion_tier', id: t.tier._id };
}

function discountOf(t: Target): Record<string, unknown> | undefined {
  return t.object === 'voucher' ? t.voucher.discount : t.tier.action.discount;
}

/** The documents a stored redemption refers to, for its JSON. */
interface Related {
  voucher: VoucherDoc | null;
  tier: PromotionTierDoc | null;
  campaign: CampaignDoc | null;
  assignments: ValidationRuleAssignmentDoc[];
}

const MESSAGES: Record<string, string> = {
  voucher_disabled: 'voucher is disabled',
  voucher_expired: 'voucher expired',
  voucher_not_active: 'voucher not active yet',
  quantity_exceeded: 'quantity exceeded',
  customer_rules_violated: 'customer does not match validation rules',
  order_rules_violated: 'order does not match validation rules',
  redemption_rules_violated: 'redemption does not match validation rules',
  promotion_inactive: 'promotion is disabled',
  promotion_expired: 'promotion expired',
  promotion_not_active: 'promotion not active yet',
};

function failure(key: string, details: string, ruleMessage?: string): RedeemableError {
  if (key === 'not_found') return { code: 404, key, message: 'Resource not found', details };
  return {
    code: 400,
    key,
    message: MESSAGES[key] ?? key,
    details,
    ...(ruleMessage ? { error: { message: ruleMessage } } : {}),
  };
}

function ruleFailure(violation: Violation, ruleId: string): RedeemableError {
  return failure(
    violation.key,
    `rule ${violation.rule} (${violation.name}) of validation rule ${ruleId} is not met`,
    violation.message,
  );
}

function toAppError(e: RedeemableError, code: string, object: string): DomainError {
  return new DomainError(e.code === 404 ? 'not_found' : 'invalid', e.key, e.message, e.details, {
    ...(e.error ? { error: e.error } : {}),
    resource_id: code,
    resource_type: object,
  });
}

/**
 * Validates and redeems vouchers and promotion tiers. A use is claimed by ONE conditional
 * `$inc` on the voucher (`redeemed_quantity < quantity`) or tier (`active`), so concurrent
 * redemptions never pass the limit nor use a tier being disabled; the redemption document is
 * inserted with its event in its outbox. Rollback flips the redemption's status first
 * (conditionally, so it happens once) and then gives the use back.
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
      inapplicable_redeemables: inapplicable.map((c) => ({
        status: 'INAPPLICABLE' as const,
        id: c.code,
        object: c.object,
        result: { error: c.error },
      })),
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
    if (bad) throw await this.refused(bad.error, bad.code, bad.object, bad.target, customer, input, amount);
    const applicable = checks as Applicable[];
    if (applicable.length === 0)
      throw DomainError.invalid('missing_redeemables', 'No redeemables', 'give at least one redeemable');
    const referrers = new Map<Applicable, CustomerDoc>();
    for (const c of applicable) {
      if (c.target.object !== 'voucher') continue;
      const found = await referrerOf(this.customers, c.target.campaign, c.target.voucher, customer, input.referrer);
      if ('refusal' in found)
        throw await this.refused(
          failure(found.refusal.key, found.refusal.details),
          c.code,
          'voucher',
          c.target,
          customer,
          input,
          amount,
        );
      if (found.referrer) referrers.set(c, found.referrer);
    }

    const claimed: Applicable[] = [];
    const reservations: Reservation[] = [];
    const undo = () =>
      Promise.all([
        ...claimed.map((done) => this.giveBack(objectOf(done.target), amount, done.discount)),
        ...reservations.map((r) => r.release()),
      ]);
    for (const c of applicable) {
      const error = await this.claimUse(c.target, amount, c.discount);
      if (error) {
        await undo();
        throw await this.refused(error, c.code, c.target.object, c.target, customer, input, amount);
      }
      claimed.push(c);
      // The checks above read counts that a parallel request may change; the reserved counts cannot.
      const reservation = await this.tallies.reserve(objectOf(c.target), c.target.campaign._id, customer?._id ?? null);
      reservations.push(reservation);
      const violation = await this.countRuleViolation(c, customer, amount, reservation);
      if (violation) {
        await undo();
        throw await this.refused(violation, c.code, c.target.object, c.target, customer, input, amount);
      }
    }

    const parentId = newId('r');
    const totalDiscount = applicable.reduce((s, c) => s + c.discount, 0);
    const now = new Date();
    const docs = applicable.map((c) =>
      this.redemptionDoc(
        c,
        customer,
        input,
        amount,
        now,
        applicable.length > 1 ? parentId : undefined,
        referrers.get(c),
      ),
    );
    try {
      await this.models.Redemption.insertMany(docs);
    } catch (err) {
      await undo();
      throw err;
    }
    for (const d of docs) this.onEvents(d._id);
    // Read back after the claims, so the JSON shows the counts including this redemption.
    const redemptions = await Promise.all(docs.map(async (d) => toRedemptionJson(d, await this.related(d), customer)));
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

  /** The legacy single redemptions: `POST /v1/vouchers/:code/redemption` and `POST /v1/promotions/tiers/:id/redemption`. */
  async redeem(
    code: string,
    body: Omit<StackableInput, 'redeemables'>,
    object: 'voucher' | 'promotion_tier' = 'voucher',
  ) {
    const result = await this.redeemStackable({ ...body, redeemables: [{ object, id: code }] });
    return result.redemptions[0]!;
  }

  /**
   * Each redeemable on its own against the whole order (not stacked one after the other):
   * what the legacy promotions validation lists. Looks the customer up, never creates one.
   */
  async checkEach(
    refs: ReadonlyArray<{ object: string; id: string }>,
    input: Omit<StackableInput, 'redeemables'>,
    options: CheckOptions = {},
  ) {
    const customer = await this.findCustomer(input.customer);
    const amount = orderAmountOf(input.order);
    const checks: Check[] = [];
    for (const r of refs) checks.push(await this.check(r, customer, amount, options));
    return { customer, amount, checks };
  }

  async get(id: string) {
    const doc = await this.models.Redemption.findById(id).lean();
    if (!doc) throw DomainError.notFound('redemption', id);
    const [related, customer] = await Promise.all([
      this.related(doc),
      doc.customer_id ? this.customers.find(doc.customer_id) : null,
    ]);
    return toRedemptionJson(doc, related, customer);
  }

  async rollback(id: string, opts: { reason?: string; tracking_id?: string }) {
    const current = await this.models.Redemption.findById(id).lean();
    if (!current) throw DomainError.notFound('redemption', id);
    if (current.status === 'ROLLED_BACK') throw alreadyRolledBack(id);
    if (current.status !== 'SUCCEEDED')
      throw DomainError.invalid(
        'invalid_rollback_params',
        'Cannot roll back',
        `redemption ${id} has status ${current.status}`,
      );
    const customer = current.customer_id ? await this.customers.find(current.customer_id) : null;
    const before = await this.related(current);
    const now = new Date();
    const rollback = {
      id: newId('rr'),
      date: now,
      ...(opts.reason ? { reason: opts.reason } : {}),
      ...(opts.tracking_id ? { tracking_id: opts.tracking_id } : {}),
    };
    const event = raiseEvent(
      'customer.redemption.rollback.succeeded',
      { type: 'redemption', id },
      {
        customer: customer ? customerRef(customer) : null,
        redemption: { id, object: 'redemption', amount: current.amount },
        redemption_rollback: { id: rollback.id, object: 'redemption_rollback', reason: opts.reason ?? null },
        ...(current.promotion_tier_id
          ? {
              promotion_tier:
                before.tier && before.campaign
                  ? tierRefJson(before.tier, before.campaign)
                  : {
                      id: current.promotion_tier_id,
                      campaign_id: current.campaign_id ?? null,
                      object: 'promotion_tier',
                    },
            }
          : {
              voucher: {
                id: current.voucher_id,
                code: current.voucher_code,
                campaign_id: current.campaign_id ?? null,
                object: 'voucher',
              },
            }),
        ...(before.campaign
          ? { campaign: { id: before.campaign._id, name: before.campaign.name, object: 'campaign' } }
          : {}),
      },
      current.customer_id,
      now,
    );
    // The status flip comes first and happens once: only its winner gives the use back.
    const flipped = await this.models.Redemption.findOneAndUpdate(
      { _id: id, status: 'SUCCEEDED' },
      withOutbox<RedemptionDoc>({ $set: { status: 'ROLLED_BACK', rollback } }, [event]),
      { returnDocument: 'after' },
    ).lean();
    if (!flipped) throw alreadyRolledBack(id);
    const object: RedeemedObject = current.promotion_tier_id
      ? { type: 'promotion_tier', id: current.promotion_tier_id }
      : { type: 'voucher', id: current.voucher_id ?? '' };
    await Promise.all([
      this.giveBack(object, current.order?.amount ?? null, current.amount),
      current.campaign_id ? this.tallies.release(object, current.campaign_id, current.customer_id ?? null) : undefined,
    ]);
    this.onEvents(id);
    const after = await this.related(current);
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
      ...relatedObjectJson(current, after),
      customer: customer ? customerRef(customer) : null,
    };
  }

  /**
   * Records a refused redemption of an existing voucher or tier (Voucherify counts them in
   * the customer's `summary.redemptions.total_failed`) with its `customer.redemption.failed`
   * event, and returns the error to answer with. A retried refusal is another refusal.
   */
  private async refused(
    error: RedeemableError,
    code: string,
    object: string,
    target: Target | undefined,
    customer: CustomerDoc | null,
    input: StackableInput,
    amount: number | null,
  ): Promise<DomainError> {
    if (!target) return toAppError(error, code, object);
    const _id = newId('r');
    const now = new Date();
    const order: RedemptionOrder = { ...orderRefOf(input.order), amount, discount_amount: 0, total_amount: amount };
    const event = raiseEvent(
      'customer.redemption.failed',
      { type: 'redemption', id: _id },
      {
        customer: customer ? customerRef(customer) : null,
        redemption: {
          id: _id,
          object: 'redemption',
          result: 'FAILURE',
          failure_code: error.key,
          failure_message: error.message,
          date: now.toISOString(),
        },
        ...targetRefs(target),
        order,
      },
      customer?._id,
      now,
    );
    await this.models.Redemption.create({
      ...this.baseDoc(_id, target, customer, input, now),
      amount: 0,
      order,
      result: 'FAILURE',
      status: 'FAILED',
      failure_code: error.key,
      failure_message: error.message,
      _outbox: [event],
      outbox_pending: true,
    });
    this.onEvents(_id);
    return toAppError(error, code, object);
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

  private async check(
    r: { object: string; id: string },
    customer: CustomerDoc | null,
    amount: number | null,
    options: CheckOptions = {},
  ): Promise<Check> {
    const code = r.id;
    const fail = (key: string, details: string, ruleMessage?: string): Inapplicable => ({
      ok: false,
      code,
      object: r.object,
      error: failure(key, details, ruleMessage),
    });
    if (r.object === 'promotion_tier') return this.checkTier(code, customer, amount, options);
    if (r.object !== 'voucher')
      return fail(
        'not_found',
        `Cannot find ${r.object} with id ${code} (only vouchers and promotion tiers are supported)`,
      );
    const voucher =
      (await this.models.Voucher.findOne({ code }).lean()) ?? (await this.models.Voucher.findById(code).lean());
    const campaign = voucher ? await this.models.Campaign.findById(voucher.campaign_id).lean() : null;
    if (!voucher || !campaign) return fail('not_found', `Cannot find voucher with id ${code}`);
    const target: Target = { object: 'voucher', voucher, campaign };
    const refuse = (key: string, details: string): Inapplicable => ({ ...fail(key, details), target });
    const now = Date.now();
    if (!voucher.active || !campaign.active) return refuse('voucher_disabled', `voucher ${code} is disabled`);
    const start = voucher.start_date ?? campaign.start_date;
    const end = voucher.expiration_date ?? campaign.expiration_date;
    if (end && new Date(end).getTime() < now)
      return refuse('voucher_expired', `voucher ${code} expired at ${new Date(end).toISOString()}`);
    if (start && new Date(start).getTime() > now)
      return refuse('voucher_not_active', `voucher ${code} starts at ${new Date(start).toISOString()}`);
    const { quantity, redeemed_quantity } = voucher.redemption;
    if (quantity !== null && quantity !== undefined && redeemed_quantity >= quantity)
      return refuse('quantity_exceeded', `voucher ${code} was redeemed ${redeemed_quantity} of ${quantity} times`);
    return this.checkRules(code, target, customer, amount, options);
  }

  private async checkTier(
    id: string,
    customer: CustomerDoc | null,
    amount: number | null,
    options: CheckOptions,
  ): Promise<Check> {
    const { tier, campaign } = await tierWithCampaign(this.models, id);
    if (!tier || !campaign)
      return {
        ok: false,
        code: id,
        object: 'promotion_tier',
        error: failure('not_found', `Cannot find promotion_tier with id ${id}`),
      };
    const unavailable = tierUnavailable(tier, campaign, new Date());
    if (unavailable)
      return {
        ok: false,
        code: id,
        object: 'promotion_tier',
        error: failure(unavailable.key, unavailable.details),
        target: { object: 'promotion_tier', tier, campaign },
      };
    return this.checkRules(id, { object: 'promotion_tier', tier, campaign }, customer, amount, options);
  }

  /** The validation rules of the voucher or tier and of its campaign, against the standing redemption counts. */
  private async checkRules(
    code: string,
    target: Target,
    customer: CustomerDoc | null,
    amount: number | null,
    options: CheckOptions,
  ): Promise<Check> {
    const object = objectOf(target);
    const considered = options.audienceOnly ? isAudienceRule : undefined;
    for (const { rule, scope } of await this.rules.rulesFor(object.id, target.campaign._id)) {
      const scopeFilter =
        scope === 'campaign'
          ? { campaign_id: target.campaign._id }
          : object.type === 'voucher'
            ? { voucher_id: object.id }
            : { promotion_tier_id: object.id };
      const [total, ofCustomer] = await Promise.all([
        this.models.Redemption.countDocuments({ ...scopeFilter, status: 'SUCCEEDED' }),
        customer
          ? this.models.Redemption.countDocuments({ ...scopeFilter, status: 'SUCCEEDED', customer_id: customer._id })
          : Promise.resolve(Number.POSITIVE_INFINITY),
      ]);
      const violation = evaluateRules(
        rule.rules as Record<string, unknown>,
        {
          customerSegments: customer?.segments ?? null,
          orderAmount: amount,
          redemptionsOfCustomer: ofCustomer,
          redemptionsTotal: total,
        },
        rule.error,
        considered,
      );
      if (violation) return { ok: false, code, object: target.object, error: ruleFailure(violation, rule._id), target };
    }
    return { ok: true, code, target, discount: discountAmount(discountOf(target), amount) };
  }

  /** The first count rule that the reserved counts (this redemption's own place in them) break. */
  private async countRuleViolation(
    c: Applicable,
    customer: CustomerDoc | null,
    amount: number | null,
    reserved: Reservation,
  ): Promise<RedeemableError | null> {
    for (const { rule, scope } of await this.rules.rulesFor(objectOf(c.target).id, c.target.campaign._id)) {
      const counts = reserved[scope];
      const violation = evaluateRules(
        rule.rules as Record<string, unknown>,
        {
          customerSegments: customer?.segments ?? null,
          orderAmount: amount,
          redemptionsOfCustomer: counts.ofCustomer,
          redemptionsTotal: counts.total,
        },
        rule.error,
      );
      if (violation) return ruleFailure(violation, rule._id);
    }
    return null;
  }

  /**
   * Takes one use atomically; returns the error when none is left or the voucher or tier was
   * disabled meanwhile. A tier has no quantity: its claim adds to its totals while it is active.
   */
  private async claimUse(target: Target, amount: number | null, discount: number): Promise<RedeemableError | null> {
    if (target.object === 'promotion_tier') {
      const res = await this.models.PromotionTier.updateOne(
        { _id: target.tier._id, active: true },
        { $inc: tierTotals(1, amount, discount) },
      );
      return res.modifiedCount === 1
        ? null
        : failure('promotion_inactive', `promotion tier ${target.tier._id} is disabled`);
    }
    const voucher = target.voucher;
    const quantity = voucher.redemption.quantity;
    const filter =
      quantity === null || quantity === undefined
        ? { _id: voucher._id, active: true }
        : { _id: voucher._id, active: true, 'redemption.redeemed_quantity': { $lt: quantity } };
    const res = await this.models.Voucher.updateOne(filter, { $inc: { 'redemption.redeemed_quantity': 1 } });
    if (res.modifiedCount === 1) return null;
    const now = await this.models.Voucher.findById(voucher._id, { active: 1 }).lean();
    if (now && !now.active) return failure('voucher_disabled', `voucher ${voucher.code} is disabled`);
    return failure('quantity_exceeded', `voucher ${voucher.code} has no redemptions left`);
  }

  private async giveBack(object: RedeemedObject, amount: number | null, discount: number): Promise<void> {
    if (object.type === 'promotion_tier')
      await this.models.PromotionTier.updateOne({ _id: object.id }, { $inc: tierTotals(-1, amount, discount) });
    else
      await this.models.Voucher.updateOne(
        { _id: object.id, 'redemption.redeemed_quantity': { $gt: 0 } },
        { $inc: { 'redemption.redeemed_quantity': -1 } },
      );
  }

  private async related(d: RedemptionDoc): Promise<Related> {
    if (d.promotion_tier_id) {
      const [{ tier, campaign }, assignments] = await Promise.all([
        tierWithCampaign(this.models, d.promotion_tier_id),
        this.models.ValidationRuleAssignment.find({ related_object_id: d.promotion_tier_id }).lean(),
      ]);
      return { voucher: null, tier, campaign, assignments };
    }
    const voucher = d.voucher_id ? await this.models.Voucher.findById(d.voucher_id).lean() : null;
    const campaign = voucher ? await this.models.Campaign.findById(voucher.campaign_id).lean() : null;
    return { voucher, tier: null, campaign, assignments: [] };
  }

  private redemptionDoc(
    c: Applicable,
    customer: CustomerDoc | null,
    input: StackableInput,
    amount: number | null,
    now: Date,
    parentId?: string,
    referrer?: CustomerDoc,
  ): RedemptionDoc {
    const _id = newId('r');
    const order: RedemptionOrder = {
      ...orderRefOf(input.order),
      amount,
      discount_amount: c.discount,
      total_amount: amount === null ? null : amount - c.discount,
      ...(input.order?.items ? { items: input.order.items } : {}),
      ...(input.order?.metadata ? { metadata: input.order.metadata } : {}),
    };
    const t = c.target;
    const event = raiseEvent(
      'customer.redemption.succeeded',
      { type: 'redemption', id: _id },
      {
        customer: customer ? customerRef(customer) : null,
        redemption: { id: _id, object: 'redemption', amount: c.discount, date: now.toISOString() },
        ...targetRefs(t),
        ...(referrer ? { referrer: customerRef(referrer) } : {}),
        order,
      },
      customer?._id,
      now,
    );
    const reward =
      referrer && t.object === 'voucher'
        ? referralRewardEvent(_id, t.campaign, t.voucher, referrer, customer, now)
        : undefined;
    return {
      ...this.baseDoc(_id, t, customer, input, now),
      ...(parentId ? { parent_redemption_id: parentId } : {}),
      ...(referrer ? { referrer_id: referrer._id } : {}),
      amount: c.discount,
      order,
      result: 'SUCCESS',
      status: 'SUCCEEDED',
      _outbox: reward ? [event, reward] : [event],
      outbox_pending: true,
    };
  }

  /** What a succeeded and a failed redemption document share. */
  private baseDoc(_id: string, t: Target, customer: CustomerDoc | null, input: StackableInput, now: Date) {
    return {
      _id,
      date: now,
      ...(customer ? { customer_id: customer._id } : {}),
      ...(input.tracking_id
        ? { tracking_id: input.tracking_id }
        : customer?.source_id
          ? { tracking_id: customer.source_id }
          : {}),
      metadata: input.metadata ?? {},
      ...(t.object === 'voucher'
        ? { voucher_id: t.voucher._id, voucher_code: t.voucher.code }
        : { promotion_tier_id: t.tier._id }),
      campaign_id: t.campaign._id,
      created_at: now,
      updated_at: now,
    };
  }

  private applicableJson(c: Applicable, amount: number | null) {
    const t = c.target;
    return {
      status: 'APPLICABLE' as const,
      id: c.code,
      object: t.object,
      ...(t.object === 'promotion_tier'
        ? { name: t.tier.name, banner: t.tier.banner ?? null, campaign_id: t.campaign._id }
        : {}),
      order: { amount, discount_amount: c.discount, total_amount: amount === null ? null : amount - c.discount },
      applicable_to: { data: [], total: 0, object: 'list' as const },
      inapplicable_to: { data: [], total: 0, object: 'list' as const },
      result: { discount: { ...(discountOf(t) ?? {}), amount: c.discount } },
      metadata: (t.object === 'voucher' ? t.voucher.metadata : t.tier.metadata) ?? {},
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
    if (ref.id && !ref.source_id) throw DomainError.notFound('customer', ref.id);
    if (!ref.source_id) return null;
    const { id: _ignored, ...fields } = ref;
    const parsed = customerInput.safeParse(fields);
    return this.customers.upsert(parsed.success ? parsed.data : { source_id: ref.source_id });
  }
}

function alreadyRolledBack(id: string): DomainError {
  return DomainError.invalid(
    'already_rolled_back',
    'Redemption has already been rolled back',
    `redemption ${id} was already rolled back`,
    { resource_id: id, resource_type: 'redemption' },
  );
}

function orderRefOf(order: OrderInput | undefined): Pick<RedemptionOrder, 'id' | 'source_id'> {
  return { ...(order?.id ? { id: order.id } : {}), ...(order?.source_id ? { source_id: order.source_id } : {}) };
}

/** The voucher or tier and the campaign, as a redemption's events name them. */
function targetRefs(t: Target) {
  return {
    ...(t.object === 'voucher'
      ? { voucher: { id: t.voucher._id, code: t.voucher.code, campaign_id: t.campaign._id, object: 'voucher' } }
      : { promotion_tier: tierRefJson(t.tier, t.campaign) }),
    campaign: { id: t.campaign._id, name: t.campaign.name, object: 'campaign' },
  };
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

/** A tier's running totals moved by one redemption (`sign` -1 gives it back). */
function tierTotals(sign: 1 | -1, amount: number | null, discount: number) {
  return { redeemed_count: sign, orders_total_amount: sign * (amount ?? 0), orders_discount_amount: sign * discount };
}

/** Which voucher or tier a redemption (or its rollback) is about, in Voucherify's fields. */
function relatedObjectJson(d: RedemptionDoc, r: Related) {
  if (d.promotion_tier_id) {
    return {
      related_object_type: 'promotion_tier' as const,
      related_object_id: d.promotion_tier_id,
      promotion_tier:
        r.tier && r.campaign
          ? toTierJson(r.tier, r.campaign, r.assignments)
          : { id: d.promotion_tier_id, object: 'promotion_tier' as const },
    };
  }
  return {
    related_object_type: 'voucher' as const,
    related_object_id: d.voucher_id ?? null,
    voucher:
      r.voucher && r.campaign
        ? toVoucherJson(r.voucher, r.campaign)
        : { id: d.voucher_id ?? null, code: d.voucher_code ?? null, object: 'voucher' as const },
  };
}

function toRedemptionJson(d: RedemptionDoc, related: Related, customer: CustomerDoc | null) {
  return {
    id: d._id,
    object: 'redemption' as const,
    date: d.date.toISOString(),
    customer_id: d.customer_id ?? null,
    ...(d.referrer_id ? { referrer_id: d.referrer_id } : {}),
    tracking_id: d.tracking_id ?? null,
    metadata: d.metadata ?? {},
    amount: d.amount,
    redemption: d.parent_redemption_id ?? null,
    result: d.result,
    status: d.status,
    ...(d.failure_code ? { failure_code: d.failure_code, failure_message: d.failure_message ?? null } : {}),
    order: d.order ? { ...d.order, object: 'order' as const } : null,
    channel: { channel_type: 'API' as const },
    customer: customer ? customerRef(customer) : null,
    ...relatedObjectJson(d, related),
    ...(d.rollback
      ? {
          rollback: {
            id: d.rollback.id,
            date: new Date(d.rollback.date).toISOString(),
            reason: d.rollback.reason ?? null,
          },
        }
      : {}),
  };
}
