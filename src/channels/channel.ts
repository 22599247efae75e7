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
  /** The provider account it goes through (`/v1/channels`), for channels that need one. */
  account?: ChannelAccount;
}

/**
 * A configured provider account, decrypted for one use: `credentials` are secrets (API keys,
 * tokens), never logged, returned or put in an error text; `settings` are plain (sender,
 * list id, profile field names, region; never a URL: see PROVIDER_BASE_URLS).
 */
export interface ChannelAccount {
  id: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
}

/** What a channel needs of an account; checked when the account is saved. */
export interface AccountSpec {
  /** Credential names, e.g. `['api_key']`; all required. */
  credentials: readonly string[];
  /** The channel also sends without an account, and uses one when a distribution names it (a webhook's own secret). */
  optional?: boolean;
  /** Problems with the account's plain settings (and credential formats), one message each. */
  validate(account: Omit<ChannelAccount, 'id'>): string[];
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
  /**
   * Several messages in one provider call where the provider has a batch API; one result per
   * message, in order. Absent: the engine calls `send` per message.
   */
  sendBatch?(messages: OutgoingMessage[]): Promise<SendResult[]>;
  /** Present for channels that go through a provider account (`/v1/channels`). */
  readonly account?: AccountSpec;
  /** A cheap authenticated call proving the account works (`POST /v1/channels/:id/test`). */
  testConnection?(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }>;
}

/** The channels a deployment offers, by type. */
export interface ChannelRegistry {
  get(type: string): Channel | undefined;
  types(): string[];
}
