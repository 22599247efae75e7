import type { Channel } from '../channels/channel';
import { isUnsubscribed } from '../consents/channels';
import type { CustomerDoc } from '../models/customer';
import type { DistributionConsents } from '../models/distribution';

/** Whether one customer may get one channel's message, and where it goes. */
export type ChannelDecision =
  | { send: true; to: string }
  | { send: false; status: 'skipped' | 'failed' | 'unknown'; reason: string };

/**
 * Decides before any code is published or message written. The order matters for the
 * recorded reason: an opt-out is reported as such even when the contact is missing too,
 * and it is honoured even with consent verification off (an unsubscribe is the customer's
 * word, not a marketing setting).
 */
export function decideChannel(
  customer: CustomerDoc,
  consents: DistributionConsents,
  channel: Channel | undefined,
  settings: Record<string, unknown>,
): ChannelDecision {
  if (!channel) return { send: false, status: 'failed', reason: 'unknown_channel' };
  if (isUnsubscribed(customer.unsubscribed_channels ?? [], channel.unsubscribeKey))
    return { send: false, status: 'skipped', reason: 'unsubscribed' };
  if (consents.verification && !hasConsents(customer.consents ?? {}, consents.required))
    return { send: false, status: 'skipped', reason: 'missing_consent' };
  const recipient = channel.recipient(customer, settings);
  if ('skip' in recipient) return { send: false, status: 'skipped', reason: recipient.skip };
  return { send: true, to: recipient.to };
}

/** Every required consent granted; a consent never answered counts as not granted. */
export function hasConsents(given: CustomerDoc['consents'], required: readonly string[]): boolean {
  return required.every((id) => given[id]?.granted === true);
}
