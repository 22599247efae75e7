import { customerRef } from '../customers/customer-json';
import { raiseEvent, type PendingEvent } from '../events/outbox';
import type { CustomerDoc } from '../models/customer';
import type { OrderDoc, OrderStatus } from '../models/order';
import { toOrderJson } from './order-json';

/** Statuses whose arrival is an event of its own, besides created/updated. */
const STATUS_EVENTS: Partial<Record<OrderStatus, string>> = {
  PAID: 'customer.order.paid',
  CANCELED: 'customer.order.canceled',
  FULFILLED: 'customer.order.fulfilled',
  PROCESSING: 'customer.order.processing',
};

/**
 * Events of one order write: `created` for a new order, `updated` for a change to an
 * existing one, plus the status event when the status becomes one that has an event; an
 * order created as PAID is both created and paid, so a "paid" distribution reaches it.
 */
export function orderEvents(
  previous: OrderDoc | undefined,
  next: OrderDoc,
  customer: CustomerDoc | undefined,
  now: Date,
): PendingEvent[] {
  const data = { customer: customer ? customerRef(customer) : null, order: toOrderJson(next) };
  const raise = (type: string) => raiseEvent(type, { type: 'order', id: next._id }, data, next.customer_id, now);
  const events = [raise(previous ? 'customer.order.updated' : 'customer.order.created')];
  const statusEvent = STATUS_EVENTS[next.status];
  if (statusEvent && previous?.status !== next.status) events.push(raise(statusEvent));
  return events;
}
