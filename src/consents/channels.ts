/**
 * What a customer can unsubscribe from: the media a distribution reaches them by (every
 * email provider is `email`, every SMS provider `sms`), the CRM/ESP integrations that
 * write to their profile elsewhere, and `all`, which silences every channel.
 */
export const UNSUBSCRIBE_CHANNELS = [
  'all',
  'email',
  'sms',
  'webhook',
  'activecampaign',
  'braze',
  'mailchimp',
  'intercom',
] as const;

export type UnsubscribeChannel = (typeof UNSUBSCRIBE_CHANNELS)[number];

/** Whether a customer with these opt-outs may be reached on `channel`; distributions call this before sending. */
export function isUnsubscribed(unsubscribed: readonly string[], channel: string): boolean {
  return unsubscribed.includes('all') || unsubscribed.includes(channel);
}
