import { DomainError } from '../errors';
import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';
import { tierUnavailable } from '../promotions/tier-availability';
import { tierWithCampaign } from '../promotions/tier-lookup';
import { evaluateRules, isAudienceRule, type Violation } from '../validation-rules/rules';
import type { ValidationRuleService } from '../validation-rules/validation-rule-service';
import { discountAmount } from './discount';
import type { Reservation } from './redemption-tallies';
import {
  discountOf,
  objectOf,
  type Applicable,
  type Check,
  type CheckOptions,
  type Inapplicable,
  type RedeemableError,
  type StackableInput,
  type Target,
} from './redemption-types';

export const MESSAGES: Record<string, string> = {
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

export function failure(key: string, details: string, ruleMessage?: string): RedeemableError {
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

export function toAppError(e: RedeemableError, code: string, object: string): DomainError {
  return new DomainError(e.code === 404 ? 'not_found' : 'invalid', e.key, e.message, e.details, {
    ...(e.error ? { error: e.error } : {}),
    resource_id: code,
    resource_type: object,
  });
}

/**
 * Whether each redeemable can be used now: it exists, is active and in its dates, has uses
 * left, and its validation rules (and its campaign's) hold against the standing counts.
 * Reads only; the claims re-check the counts once reserved.
 */
export class RedemptionChecks {
  constructor(
    private readonly models: Models,
    private readonly rules: ValidationRuleService,
  ) {}

  async checkAll(input: StackableInput, customer: CustomerDoc | null, amount: number | null): Promise<Check[]> {
    const checks: Check[] = [];
    let remaining = amount;
    for (const r of input.redeemables) {
      const c = await this.check(r, customer, remaining);
      if (c.ok && remaining !== null) remaining -= c.discount;
      checks.push(c);
    }
    return checks;
  }

  async check(
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
  async countRuleViolation(
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
}
