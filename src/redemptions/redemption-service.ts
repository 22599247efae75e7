import { customerRef } from '../customers/customer-json';
import { customerInput } from '../customers/customer-input';
import type { CustomerService } from '../customers/customer-service';
import { withOutbox } from '../events/outbox';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';
import type { RedemptionDoc } from '../models/redemption';
import type { ValidationRuleService } from '../validation-rules/validation-rule-service';
import { orderAmountOf } from './discount';
import { referrerOf } from './referral';
import { failure, RedemptionChecks, toAppError } from './redemption-checks';
import { claimUse, giveBack } from './redemption-claims';
import { applicableJson, orderJson, related, rollbackJson, stackedJson, toRedemptionJson } from './redemption-json';
import { alreadyRolledBack, failedDoc, redemptionDoc, rollbackEvent, rollbackFailedEvent } from './redemption-records';
import { RedemptionTallies, type RedeemedObject, type Reservation } from './redemption-tallies';
import {
  objectOf,
  type Applicable,
  type Check,
  type CheckOptions,
  type CustomerRefInput,
  type Inapplicable,
  type RedeemableError,
  type StackableInput,
  type Target,
} from './redemption-types';

export type {
  Applicable,
  Check,
  CheckOptions,
  CustomerRefInput,
  Inapplicable,
  OrderInput,
  RedeemableError,
  StackableInput,
  Target,
} from './redemption-types';

/**
 * Validates and redeems vouchers and promotion tiers. A use is claimed by ONE conditional
 * `$inc` on the voucher (`redeemed_quantity < quantity`) or tier (`active`), so concurrent
 * redemptions never pass the limit nor use a tier being disabled; the redemption document is
 * inserted with its event in its outbox. Rollback flips the redemption's status first
 * (conditionally, so it happens once) and then gives the use back.
 */
export class RedemptionService {
  private readonly tallies: RedemptionTallies;
  private readonly checks: RedemptionChecks;

  constructor(
    private readonly models: Models,
    private readonly customers: CustomerService,
    rules: ValidationRuleService,
    private readonly onEvents: (redemptionId: string) => void = () => undefined,
    /** Credits a referral redemption's referrer, and withdraws it on rollback. */
    private readonly referralRewards?: { settle(id: string): Promise<RedemptionDoc | null> },
  ) {
    this.tallies = new RedemptionTallies(models);
    this.checks = new RedemptionChecks(models, rules);
  }

  async validate(input: StackableInput) {
    const customer = await this.findCustomer(input.customer);
    const amount = orderAmountOf(input.order);
    const checks = await this.checks.checkAll(input, customer, amount);
    const applicable = checks.filter((c): c is Applicable => c.ok);
    const inapplicable = checks.filter((c): c is Inapplicable => !c.ok);
    const totalDiscount = applicable.reduce((s, c) => s + c.discount, 0);
    return {
      id: newId('valid'),
      valid: inapplicable.length === 0 && applicable.length > 0,
      redeemables: applicable.map((c) => applicableJson(c, amount)),
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
    const checks = await this.checks.checkAll(input, customer, amount);
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
        ...claimed.map((done) => giveBack(this.models, objectOf(done.target), amount, done.discount)),
        ...reservations.map((r) => r.release()),
      ]);
    for (const c of applicable) {
      const error = await claimUse(this.models, c.target, amount, c.discount);
      if (error) {
        await undo();
        throw await this.refused(error, c.code, c.target.object, c.target, customer, input, amount);
      }
      claimed.push(c);
      // The checks above read counts that a parallel request may change; the reserved counts cannot.
      const reservation = await this.tallies.reserve(objectOf(c.target), c.target.campaign._id, customer?._id ?? null);
      reservations.push(reservation);
      const violation = await this.checks.countRuleViolation(c, customer, amount, reservation);
      if (violation) {
        await undo();
        throw await this.refused(violation, c.code, c.target.object, c.target, customer, input, amount);
      }
    }

    const parentId = newId('r');
    const totalDiscount = applicable.reduce((s, c) => s + c.discount, 0);
    const now = new Date();
    const docs = applicable.map((c) =>
      redemptionDoc(c, customer, input, amount, now, applicable.length > 1 ? parentId : undefined, referrers.get(c)),
    );
    try {
      await this.models.Redemption.insertMany(docs);
    } catch (err) {
      await undo();
      throw err;
    }
    for (const d of docs) this.onEvents(d._id);
    // Read back after the claims, so the JSON shows the counts including this redemption.
    const redemptions = await Promise.all(
      docs.map(async (d) => {
        const settled = (d.referrer_id ? await this.referralRewards?.settle(d._id) : null) ?? d;
        return toRedemptionJson(settled, await related(this.models, d), customer);
      }),
    );
    const parent = docs.length === 1 ? docs[0]!._id : parentId;
    return stackedJson(redemptions, parent, now, customer, input, amount, totalDiscount);
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
    for (const r of refs) checks.push(await this.checks.check(r, customer, amount, options));
    return { customer, amount, checks };
  }

  async get(id: string) {
    const doc = await this.models.Redemption.findById(id).lean();
    if (!doc) throw DomainError.notFound('redemption', id);
    const [refs, customer] = await Promise.all([
      related(this.models, doc),
      doc.customer_id ? this.customers.find(doc.customer_id) : null,
    ]);
    return toRedemptionJson(doc, refs, customer);
  }

  async rollback(id: string, opts: { reason?: string; tracking_id?: string }) {
    const current = await this.models.Redemption.findById(id).lean();
    if (!current) throw DomainError.notFound('redemption', id);
    if (current.status === 'ROLLED_BACK') throw await this.rollbackRefused(current, alreadyRolledBack(id));
    if (current.status !== 'SUCCEEDED')
      throw await this.rollbackRefused(
        current,
        DomainError.invalid(
          'invalid_rollback_params',
          'Cannot roll back',
          `redemption ${id} has status ${current.status}`,
        ),
      );
    const customer = current.customer_id ? await this.customers.find(current.customer_id) : null;
    const before = await related(this.models, current);
    const now = new Date();
    const rollback = {
      id: newId('rr'),
      date: now,
      ...(opts.reason ? { reason: opts.reason } : {}),
      ...(opts.tracking_id ? { tracking_id: opts.tracking_id } : {}),
    };
    const event = rollbackEvent(current, before, customer, rollback, now);
    // The status flip comes first and happens once: only its winner gives the use back.
    const flipped = await this.models.Redemption.findOneAndUpdate(
      { _id: id, status: 'SUCCEEDED' },
      withOutbox<RedemptionDoc>({ $set: { status: 'ROLLED_BACK', rollback } }, [event]),
      { returnDocument: 'after' },
    ).lean();
    if (!flipped) throw await this.rollbackRefused(current, alreadyRolledBack(id));
    const object: RedeemedObject = current.promotion_tier_id
      ? { type: 'promotion_tier', id: current.promotion_tier_id }
      : { type: 'voucher', id: current.voucher_id ?? '' };
    await Promise.all([
      giveBack(this.models, object, current.order?.amount ?? null, current.amount),
      current.campaign_id ? this.tallies.release(object, current.campaign_id, current.customer_id ?? null) : undefined,
    ]);
    this.onEvents(id);
    const settled = current.referrer_id ? await this.referralRewards?.settle(id) : null;
    const after = await related(this.models, current);
    const answered = { id: rollback.id, date: now, reason: opts.reason, tracking_id: opts.tracking_id };
    return rollbackJson(current, answered, after, customer, settled);
  }

  /** Records a refused rollback on its redemption (Voucherify's `total_rollback_failed`) and returns its error. */
  private async rollbackRefused(current: RedemptionDoc, error: DomainError): Promise<DomainError> {
    await this.models.Redemption.updateOne(
      { _id: current._id },
      withOutbox<RedemptionDoc>({ $inc: { rollback_failures: 1 } }, [rollbackFailedEvent(current, error)]),
    );
    this.onEvents(current._id);
    return error;
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
    const doc = failedDoc(error, target, customer, input, amount);
    await this.models.Redemption.create(doc);
    this.onEvents(doc._id);
    return toAppError(error, code, object);
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
