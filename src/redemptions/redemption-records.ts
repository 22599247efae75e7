import { customerRef } from '../customers/customer-json';
import { raiseEvent, type PendingEvent } from '../events/outbox';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { CustomerDoc } from '../models/customer';
import type { RedemptionDoc, RedemptionOrder } from '../models/redemption';
import { tierRefJson } from '../promotions/tier-json';
import { referralRewardEvent, referredEvent } from './referral';
import type { Related } from './redemption-json';
import { orderRefOf, targetRefs } from './redemption-json';
import type { Applicable, RedeemableError, StackableInput, Target } from './redemption-types';

/*
 * The redemption documents and the events written with them, in their outboxes: a use, a
 * refused attempt, a rollback.
 */

export function redemptionDoc(
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
  const referral =
    referrer && t.object === 'voucher'
      ? [
          referredEvent(_id, t.campaign, t.voucher, referrer, customer, now),
          referralRewardEvent(_id, t.campaign, t.voucher, referrer, customer, now),
        ].filter((e): e is PendingEvent => e !== undefined)
      : [];
  return {
    ...baseDoc(_id, t, customer, input, now),
    ...(parentId ? { parent_redemption_id: parentId } : {}),
    ...(referrer ? { referrer_id: referrer._id } : {}),
    amount: c.discount,
    order,
    result: 'SUCCESS',
    status: 'SUCCEEDED',
    _outbox: [event, ...referral],
    outbox_pending: true,
  };
}

/** What a succeeded and a failed redemption document share. */
export function baseDoc(_id: string, t: Target, customer: CustomerDoc | null, input: StackableInput, now: Date) {
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

/** A refused attempt at an existing voucher or tier, with its `customer.redemption.failed` event. */
export function failedDoc(
  error: RedeemableError,
  target: Target,
  customer: CustomerDoc | null,
  input: StackableInput,
  amount: number | null,
): RedemptionDoc {
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
  return {
    ...baseDoc(_id, target, customer, input, now),
    amount: 0,
    order,
    result: 'FAILURE',
    status: 'FAILED',
    failure_code: error.key,
    failure_message: error.message,
    _outbox: [event],
    outbox_pending: true,
  };
}

/** `customer.redemption.rollback.succeeded` of a redemption, for the update that flips its status. */
export function rollbackEvent(
  current: RedemptionDoc,
  before: Related,
  customer: CustomerDoc | null,
  rollback: { id: string; reason?: string },
  now: Date,
): PendingEvent {
  const id = current._id;
  return raiseEvent(
    'customer.redemption.rollback.succeeded',
    { type: 'redemption', id },
    {
      customer: customer ? customerRef(customer) : null,
      redemption: { id, object: 'redemption', amount: current.amount },
      redemption_rollback: { id: rollback.id, object: 'redemption_rollback', reason: rollback.reason ?? null },
      ...(current.promotion_tier_id
        ? {
            promotion_tier:
              before.tier && before.campaign
                ? tierRefJson(before.tier, before.campaign)
                : { id: current.promotion_tier_id, campaign_id: current.campaign_id ?? null, object: 'promotion_tier' },
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
}

/** `customer.redemption.rollback.failed`: a rollback of this redemption was refused. */
export function rollbackFailedEvent(current: RedemptionDoc, error: DomainError): PendingEvent {
  const now = new Date();
  return raiseEvent(
    'customer.redemption.rollback.failed',
    { type: 'redemption', id: current._id },
    {
      redemption: { id: current._id, object: 'redemption', status: current.status },
      redemption_rollback: {
        object: 'redemption_rollback',
        result: 'FAILURE',
        failure_code: error.key,
        failure_message: error.message,
        date: now.toISOString(),
      },
      ...(current.voucher_id
        ? {
            voucher: {
              id: current.voucher_id,
              code: current.voucher_code,
              campaign_id: current.campaign_id ?? null,
              object: 'voucher',
            },
          }
        : {}),
    },
    current.customer_id,
    now,
  );
}

export function alreadyRolledBack(id: string): DomainError {
  return DomainError.invalid(
    'already_rolled_back',
    'Redemption has already been rolled back',
    `redemption ${id} was already rolled back`,
    { resource_id: id, resource_type: 'redemption' },
  );
}
