import type { CustomerDoc } from '../models/customer';
import { normalizePhone } from './http-provider';

export type Recipient = { to: string } | { skip: string };

/** Email channels (and CRMs keyed by email) reach the customer's address, or skip them. */
export function emailRecipient(customer: CustomerDoc, _settings?: Record<string, unknown>): Recipient {
  const email = customer.email?.trim();
  return email ? { to: email } : { skip: 'missing_email' };
}

/** SMS channels need a number in international form; a national one cannot be dialled safely. */
export function phoneRecipient(customer: CustomerDoc, _settings?: Record<string, unknown>): Recipient {
  const phone = normalizePhone(customer.phone);
  return phone ? { to: phone } : { skip: 'missing_phone' };
}

/** For channels whose every setting lives in their account. */
export function noSettings(): string[] {
  return [];
}
