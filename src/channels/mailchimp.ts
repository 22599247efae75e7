import { createHash } from 'node:crypto';
import ApiClient from '@mailchimp/mailchimp_marketing/src/ApiClient';
import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from './channel';
import { OUTBOUND_REFUSED } from '../outbound/address-policy';
import { guardedAgentFor } from '../outbound/node-agents';
import {
  baseUrlProblems,
  failureForStatus,
  originOf,
  PROVIDER_TIMEOUT_MS,
  redact,
  type ProviderOptions,
} from './http-provider';
import { fieldMapOf, profileValues, validateFieldMap } from './profile-fields';
import { emailRecipient } from './recipients';

/** What a member the channel creates becomes (`status_if_new`); an existing member's status is left alone. */
const NEW_MEMBER_STATUSES = ['subscribed', 'pending', 'unsubscribed', 'cleaned', 'transactional'] as const;

/** `<32 hex>-<data centre>`, e.g. `…-us19`: the data centre names the API host. */
const API_KEY = /^[0-9A-Za-z]+-([a-z]+[0-9]+)$/;

/** Mailchimp's `subscriber_hash`: the MD5 of the lowercased address. */
export function subscriberHash(email: string): string {
  return createHash('md5').update(email.trim().toLowerCase()).digest('hex');
}

/**
 * Writes the code and mapped variables into the customer's merge fields on a Mailchimp
 * audience (`PUT /lists/{list_id}/members/{subscriber_hash}`), so a journey or automation
 * there mails it. The PUT is an add-or-update: retrying it writes the same member again, so
 * Mailchimp needing no idempotency key is fine. The merge fields must exist on the audience.
 *
 * Account: credential `api_key` (`<key>-<dc>`: the data centre names the host,
 * `https://<dc>.api.mailchimp.com`), settings `list_id`, optional `status_if_new`. The
 * distribution's channel settings may override `list_id` and `status_if_new`.
 */
export class MailchimpChannel implements Channel {
  readonly type = 'mailchimp';
  readonly unsubscribeKey = 'mailchimp';

  readonly account: AccountSpec = {
    credentials: ['api_key'],
    validate: (account) => {
      const problems: string[] = [];
      const key = account.credentials.api_key;
      if (key !== undefined && !API_KEY.test(key))
        problems.push('api_key must look like <key>-<data centre>, e.g. …-us19');
      if (typeof account.settings.list_id !== 'string' || account.settings.list_id === '')
        problems.push('list_id is required');
      problems.push(...statusProblems(account.settings.status_if_new));
      problems.push(...baseUrlProblems(account.settings));
      return problems;
    },
  };

  /** The SDK waits two minutes by default; a provider slower than this is retried later instead. */
  private readonly timeoutMs: number;

  constructor(private readonly options: ProviderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  }

  readonly recipient = emailRecipient;

  validateSettings(settings: Record<string, unknown>): string[] {
    const problems = validateFieldMap(settings.fields);
    if (settings.list_id !== undefined && (typeof settings.list_id !== 'string' || settings.list_id === ''))
      problems.push('list_id must be a non-empty string');
    problems.push(...statusProblems(settings.status_if_new));
    return problems;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const account = message.account;
    if (!account?.credentials.api_key)
      return { status: 'permanent', error: 'mailchimp: the channel has no account with an api_key' };
    const listId = stringSetting(message.settings.list_id) ?? stringSetting(account.settings.list_id);
    if (!listId) return { status: 'permanent', error: 'mailchimp: no list_id in the account or the channel settings' };
    const client = this.client(account);
    if (!client) return { status: 'permanent', error: 'mailchimp: the api_key names no data centre (<key>-<dc>)' };
    // Mailchimp clears a merge field with "", and refuses null for text fields.
    const mergeFields = Object.fromEntries(
      Object.entries(profileValues(fieldMapOf(message.settings), message.variables)).map(([k, v]) => [k, v ?? '']),
    );
    const status =
      stringSetting(message.settings.status_if_new) ?? stringSetting(account.settings.status_if_new) ?? 'subscribed';
    try {
      const member = await client.lists.setListMember(listId, subscriberHash(message.to), {
        email_address: message.to,
        status_if_new: status,
        merge_fields: mergeFields,
      });
      return {
        status: 'sent',
        providerMessageId: typeof member?.id === 'string' ? member.id : subscriberHash(message.to),
      };
    } catch (err) {
      return errorResult(err, this.timeoutMs, account.credentials);
    }
  }

  async testConnection(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }> {
    const client = account.credentials.api_key ? this.client(account) : undefined;
    if (!client) return { ok: false, error: 'mailchimp: the api_key is missing or names no data centre (<key>-<dc>)' };
    try {
      await client.ping.get();
      return { ok: true };
    } catch (err) {
      return { ok: false, error: errorResult(err, this.timeoutMs, account.credentials).error };
    }
  }

  /**
   * A client of its own per call: the package's default export is a shared singleton whose
   * config another account would overwrite. `server` stays unset — `setConfig` replaces the
   * whole config and `server` would rewrite the first "server" anywhere in the URL.
   */
  private client(account: ChannelAccount): ApiClient | undefined {
    const apiKey = account.credentials.api_key ?? '';
    const dc = API_KEY.exec(apiKey)?.[1];
    if (!dc) return undefined;
    const client = new ApiClient();
    client.setConfig({ apiKey });
    client.basePath = `${originOf(this.options, `https://${dc}.api.mailchimp.com`)}/3.0`;
    client.timeout = this.timeoutMs;
    // The client's only hook on each request before it goes (its cookie jar): through the
    // outbound guard, and no redirect followed (superagent would resend the key to the target).
    const agent = guardedAgentFor(client.basePath);
    client.enableCookies = true;
    client.agent = {
      attachCookies: (request) => {
        request.agent(agent);
        request.redirects(0);
      },
      saveCookies: () => undefined,
    };
    return client;
  }
}

function statusProblems(value: unknown): string[] {
  if (value === undefined || NEW_MEMBER_STATUSES.includes(value as (typeof NEW_MEMBER_STATUSES)[number])) return [];
  return [`status_if_new must be one of ${NEW_MEMBER_STATUSES.join(', ')}`];
}

function stringSetting(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The SDK rejects with superagent's error: `status` and `response` (headers, problem+json
 * body `{title, detail}`) for an HTTP answer; `code` (and `timeout`) for a network failure.
 * Only its fields are read: the error object also holds the request, with its auth header.
 */
function errorResult(
  err: unknown,
  timeoutMs: number,
  credentials: Record<string, string>,
): Exclude<SendResult, { status: 'sent' }> {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    status?: unknown;
    code?: unknown;
    timeout?: unknown;
    response?: { headers?: Record<string, string | undefined>; body?: unknown };
  };
  if (typeof e.status === 'number') {
    const body = (typeof e.response?.body === 'object' && e.response.body !== null ? e.response.body : {}) as {
      title?: unknown;
      detail?: unknown;
    };
    const parts = [body.title, body.detail].filter((p): p is string => typeof p === 'string' && p !== '');
    const headers = new Headers();
    for (const [name, value] of Object.entries(e.response?.headers ?? {}))
      if (typeof value === 'string') headers.set(name, value);
    return failureForStatus(
      'mailchimp',
      e.status,
      headers,
      parts.length ? redact(parts.join(' — '), credentials) : undefined,
    );
  }
  if (e.code === OUTBOUND_REFUSED)
    return { status: 'permanent', error: 'mailchimp: refused by the outbound guard (address not allowed)' };
  if (e.timeout !== undefined || e.code === 'ECONNABORTED')
    return { status: 'transient', error: `mailchimp: no answer within ${timeoutMs} ms` };
  return {
    status: 'transient',
    error: `mailchimp: connection failed${typeof e.code === 'string' ? ` (${e.code})` : ''}`,
  };
}
