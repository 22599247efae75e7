import type { CustomerDoc } from '../models/customer';

/** A rendered message, ready for one channel. */
export interface OutgoingMessage {
  /** The message record's id (`messageId`): the idempotency key for providers that take one. */
  id: string;
  customer: CustomerDoc;
  /** The contact the channel resolved for this customer (`Channel.recipient`). */
  to: string;
  subject?: string;
  html?: string;
  text?: string;
  /** Every template variable's value (code, customer fields, …): CRM channels copy them to the profile. */
  variables: Record<string, unknown>;
  /** The distribution's non-secret settings for this channel, e.g. a webhook's `url`. */
  settings: Record<string, unknown>;
}

/**
 * What a provider made of a send. `transient` is worth retrying (timeouts, 5xx, 429) —
 * after `retryAfterMs` when the provider said so; `permanent` never is (invalid address, 4xx).
 */
export type SendResult =
  | { status: 'sent'; providerMessageId?: string }
  | { status: 'transient'; error: string; retryAfterMs?: number }
  | { status: 'permanent'; error: string };

/**
 * One delivery channel. Adapters map everything a provider can answer to a `SendResult`
 * and never throw for a provider's answer; they never put credentials in an error text.
 */
export interface Channel {
  readonly type: string;
  /** The opt-out that silences it (`email` for every email provider, …); see src/consents/channels.ts. */
  readonly unsubscribeKey: string;
  /** The contact to send to, or why there is none (`missing_email`, `missing_phone`, …). */
  recipient(customer: CustomerDoc, settings: Record<string, unknown>): { to: string } | { skip: string };
  /** Checks a distribution's settings for this channel; a message per problem, empty when fine. */
  validateSettings(settings: Record<string, unknown>): string[];
  send(message: OutgoingMessage): Promise<SendResult>;
}

/** The channels a deployment offers, by type. */
export interface ChannelRegistry {
  get(type: string): Channel | undefined;
  types(): string[];
}
