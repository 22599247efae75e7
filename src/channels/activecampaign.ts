import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from './channel';
import {
  baseUrlProblems,
  connectionVerdict,
  failureForStatus,
  isTransportFailure,
  originOf,
  PROVIDER_TIMEOUT_MS,
  providerFetch,
  redact,
  transportResult,
  type ProviderAnswer,
  type ProviderOptions,
} from './http-provider';
import { fieldMapOf, profileValues, validateFieldMap, type ProfileValue } from './profile-fields';
import { emailRecipient } from './recipients';

/** Field ids change only when someone edits the account's custom fields: an hour-old list is fine. */
export const FIELD_CACHE_MS = 60 * 60 * 1000;
/** `GET /api/3/fields` pages; 100 is the largest page the API gives. */
const FIELDS_PAGE = 100;

/** Keys of `settings.fields` that are the contact's own fields rather than custom fields. */
const CONTACT_FIELDS = new Set(['firstName', 'lastName', 'phone']);

interface FieldList {
  at: number;
  /** Upper-cased perstag → field id. */
  byTag: Map<string, string>;
}

/**
 * Writes the code and mapped variables onto the customer's ActiveCampaign contact
 * (`POST /api/3/contact/sync`, an upsert by email), so an automation there mails it. The sync
 * is an upsert: a retried send writes the same values again, which is why it needs no
 * idempotency key (ActiveCampaign has none).
 *
 * `settings.fields` keys name where each value goes: `firstName`, `lastName`, `phone` (the
 * contact's own fields), a custom field id (`"12"`), or a custom field's personalization tag
 * (`PROMO_CODE` or `%PROMO_CODE%`, any case). Tags are resolved through `GET /api/3/fields`,
 * read once per account and kept for an hour; a tag still unknown after a fresh read is a
 * permanent failure naming it.
 *
 * Account: credential `api_token`, setting `api_url`: the account's own host on
 * ActiveCampaign's domains (`https://<account>.api-us1.com`, `https://<account>.activehosted.com`).
 */
export class ActiveCampaignChannel implements Channel {
  readonly type = 'activecampaign';
  readonly unsubscribeKey = 'activecampaign';

  readonly account: AccountSpec = {
    credentials: ['api_token'],
    validate: (account) => apiUrlProblems(account.settings),
  };

  private readonly fieldCache = new Map<string, FieldList>();

  private readonly timeoutMs: number;

  constructor(
    private readonly options: ProviderOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.timeoutMs = options.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  }

  readonly recipient = emailRecipient;

  validateSettings(settings: Record<string, unknown>): string[] {
    const problems = validateFieldMap(settings.fields);
    for (const key of Object.keys(fieldMapOf(settings))) {
      if (!CONTACT_FIELDS.has(key) && !/^\d+$/.test(key) && !/^%?[A-Za-z0-9_]+%?$/.test(key)) {
        problems.push(
          `fields.${key}: not a custom field id, a personalization tag (PROMO_CODE) or one of ${[...CONTACT_FIELDS].join(', ')}`,
        );
      }
    }
    return problems;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const account = message.account;
    const token = account?.credentials.api_token;
    if (!account || !token)
      return { status: 'permanent', error: 'activecampaign: the channel has no account with an api_token' };
    const base = this.origin(account);
    if (!base) return { status: 'permanent', error: 'activecampaign: the account has no api_url' };
    const credentials = account.credentials;

    const contact: Record<string, unknown> = { email: message.to };
    const fieldValues: { field: string; value: string }[] = [];
    const byTag: [string, string][] = [];
    for (const [key, value] of Object.entries(profileValues(fieldMapOf(message.settings), message.variables))) {
      if (CONTACT_FIELDS.has(key)) contact[key] = text(value);
      else if (/^\d+$/.test(key)) fieldValues.push({ field: key, value: text(value) });
      else byTag.push([perstag(key), text(value)]);
    }
    if (byTag.length > 0) {
      const resolved = await this.resolveTags(
        account,
        base,
        token,
        byTag.map(([tag]) => tag),
      );
      if ('error' in resolved) return resolved;
      for (const [tag, value] of byTag) fieldValues.push({ field: resolved.get(tag)!, value });
    }
    contact.fieldValues = fieldValues;

    const answer = await this.call(base, token, 'POST', '/api/3/contact/sync', { contact });
    if (isTransportFailure(answer)) return transportResult('activecampaign', answer);
    if (answer.status < 200 || answer.status >= 300) return failure(answer, credentials);
    const id = (answer.json as { contact?: { id?: unknown } } | undefined)?.contact?.id;
    return {
      status: 'sent',
      providerMessageId: typeof id === 'string' || typeof id === 'number' ? String(id) : message.to,
    };
  }

  async testConnection(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }> {
    const token = account.credentials.api_token;
    const base = this.origin(account);
    if (!token || !base) return { ok: false, error: 'activecampaign: the account needs an api_token and an api_url' };
    return connectionVerdict(
      'activecampaign',
      await this.call(base, token, 'GET', '/api/3/users/me'),
      account.credentials,
      reasonOf,
    );
  }

  /** The account's host, or the operator's replacement for every account (PROVIDER_BASE_URLS). */
  private origin(account: ChannelAccount): string | undefined {
    const url = account.settings.api_url;
    return typeof url === 'string' && ACCOUNT_HOST.test(url) ? originOf(this.options, url) : undefined;
  }

  private call(
    base: string,
    token: string,
    method: string,
    path: string,
    body?: unknown,
  ): ReturnType<typeof providerFetch> {
    return providerFetch(`${base}${path}`, {
      method,
      headers: {
        'Api-Token': token,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs: this.timeoutMs,
    });
  }

  /** Field ids for the tags; re-reads the list once when a tag is not in the cached one (a field added since). */
  private async resolveTags(
    account: ChannelAccount,
    base: string,
    token: string,
    tags: string[],
  ): Promise<Map<string, string> | FailedSend> {
    const key = `${account.id}|${base}`;
    let list = this.fieldCache.get(key);
    const stale = !list || this.now() - list.at > FIELD_CACHE_MS || tags.some((t) => !list!.byTag.has(t));
    if (stale) {
      const fetched = await this.readFields(base, token, account.credentials);
      if ('error' in fetched) return fetched;
      list = { at: this.now(), byTag: fetched };
      this.fieldCache.set(key, list);
    }
    const missing = tags.filter((t) => !list!.byTag.has(t));
    if (missing.length > 0)
      return {
        status: 'permanent',
        error: `activecampaign: no custom field with the personalization tag ${missing.map((t) => `%${t}%`).join(', ')}`,
      };
    return new Map(tags.map((t) => [t, list!.byTag.get(t)!]));
  }

  private async readFields(
    base: string,
    token: string,
    credentials: Record<string, string>,
  ): Promise<Map<string, string> | FailedSend> {
    const byTag = new Map<string, string>();
    for (let offset = 0; ; offset += FIELDS_PAGE) {
      const answer = await this.call(base, token, 'GET', `/api/3/fields?limit=${FIELDS_PAGE}&offset=${offset}`);
      if (isTransportFailure(answer)) return transportResult('activecampaign', answer);
      if (answer.status < 200 || answer.status >= 300) return failure(answer, credentials);
      const body = (answer.json ?? {}) as { fields?: unknown; meta?: { total?: unknown } };
      const fields = Array.isArray(body.fields) ? (body.fields as { id?: unknown; perstag?: unknown }[]) : [];
      for (const f of fields) {
        if (typeof f.perstag === 'string' && (typeof f.id === 'string' || typeof f.id === 'number'))
          byTag.set(f.perstag.toUpperCase(), String(f.id));
      }
      const total = Number(body.meta?.total);
      if (fields.length < FIELDS_PAGE || !Number.isFinite(total) || offset + fields.length >= total) return byTag;
    }
  }
}

type FailedSend = Exclude<SendResult, { status: 'sent' }>;

function failure(answer: ProviderAnswer, credentials: Record<string, string>): FailedSend {
  const reason = reasonOf(answer);
  return failureForStatus(
    'activecampaign',
    answer.status,
    answer.headers,
    reason === undefined ? undefined : redact(reason, credentials),
  );
}

/** An account's API host: its own subdomain of ActiveCampaign's API domains, nothing else (it receives the token). */
const ACCOUNT_HOST = /^https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.(?:api-us\d{1,2}\.com|activehosted\.com)\/?$/i;

function apiUrlProblems(settings: Record<string, unknown>): string[] {
  const problems = baseUrlProblems(settings);
  if (settings.api_url === undefined) problems.push('api_url is required');
  else if (typeof settings.api_url !== 'string' || !ACCOUNT_HOST.test(settings.api_url))
    problems.push("api_url must be the account's ActiveCampaign API host, e.g. https://<account>.api-us1.com");
  return problems;
}

/** `%promo_code%` → `PROMO_CODE`: ActiveCampaign shows tags with percent signs and matches them in upper case. */
function perstag(key: string): string {
  return key.replace(/^%|%$/g, '').toUpperCase();
}

/** ActiveCampaign field values are text; an empty one clears the field. */
function text(value: ProfileValue): string {
  return value === null ? '' : String(value);
}

/** `{errors: [{title, detail}]}` (422 and most 4xx) or `{message}` (401, 429). */
function reasonOf(answer: ProviderAnswer): string | undefined {
  const body = (typeof answer.json === 'object' && answer.json !== null ? answer.json : {}) as {
    errors?: unknown;
    message?: unknown;
  };
  if (Array.isArray(body.errors)) {
    const parts = (body.errors as { title?: unknown; detail?: unknown }[])
      .map((e) => [e.title, e.detail].filter((p): p is string => typeof p === 'string' && p !== '').join(' — '))
      .filter((p) => p !== '');
    if (parts.length > 0) return parts.join('; ');
  }
  return typeof body.message === 'string' && body.message !== '' ? body.message : undefined;
}
