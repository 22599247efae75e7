import type { CustomerDoc } from '../models/customer';
import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from './channel';
import {
  baseUrlProblems,
  connectionVerdict,
  failureForStatus,
  isTransportFailure,
  PROVIDER_TIMEOUT_MS,
  providerFetch,
  redact,
  regionOrigin,
  regionProblems,
  transportResult,
  type ProviderAnswer,
  type ProviderOptions,
  type Regions,
} from './http-provider';
import { externalIdOf, fieldMapOf, profileValues, validateFieldMap } from './profile-fields';

/** Intercom's API hosts: a workspace is hosted in the US, the EU or Australia. */
export const INTERCOM_REGIONS: Regions = {
  us: 'https://api.intercom.io',
  eu: 'https://api.eu.intercom.io',
  au: 'https://api.au.intercom.io',
};
/** The API version the requests are written for (and validated against in tests). */
export const INTERCOM_VERSION = '2.14';

interface IntercomContact {
  id: string;
  external_id?: string | null;
  email?: string | null;
}

/**
 * Writes the code and mapped variables onto the customer's Intercom contact as custom
 * attributes, so a series or workflow there sends it: find the contact by `external_id` (the
 * customer's `source_id`, else our id) or, failing that, by email (a lead or user the
 * Messenger created, which then gets our `external_id`); create a `user` when there is none;
 * then `PUT /contacts/{id}`. Every step is an upsert — a retry finds the contact the first
 * attempt created and writes the same values — so Intercom having no idempotency key is fine.
 * The custom attributes must exist in the workspace (`POST /data_attributes`).
 *
 * Account: credential `access_token`, optional setting `region` (`us`, `eu`, `au`).
 */
export class IntercomChannel implements Channel {
  readonly type = 'intercom';
  readonly unsubscribeKey = 'intercom';

  readonly account: AccountSpec = {
    credentials: ['access_token'],
    validate: (account) => [
      ...baseUrlProblems(account.settings),
      ...regionProblems(account.settings, INTERCOM_REGIONS),
    ],
  };

  private readonly timeoutMs: number;

  constructor(private readonly options: ProviderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  }

  recipient(customer: CustomerDoc): { to: string } | { skip: string } {
    return { to: externalIdOf(customer) };
  }

  validateSettings(settings: Record<string, unknown>): string[] {
    return validateFieldMap(settings.fields);
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const account = message.account;
    const token = account?.credentials.access_token;
    if (!account || !token)
      return { status: 'permanent', error: 'intercom: the channel has no account with an access_token' };
    const api = new IntercomApi(
      regionOrigin(this.options, account.settings, INTERCOM_REGIONS),
      token,
      this.timeoutMs,
      account.credentials,
    );
    const externalId = message.to;
    const email = message.customer.email?.trim() || undefined;

    const found = await api.find(externalId, email);
    if ('error' in found) return found;
    let contact = found.contact;
    if (!contact) {
      const name = message.customer.name?.trim();
      // A 409 means a concurrent send created it since the search: the retry finds it.
      const created = await api.call(
        'POST',
        '/contacts',
        { role: 'user', external_id: externalId, ...(email ? { email } : {}), ...(name ? { name } : {}) },
        { conflictIsTransient: true },
      );
      if ('error' in created) return created;
      contact = created.json as IntercomContact;
      if (typeof contact?.id !== 'string')
        return { status: 'transient', error: 'intercom: the created contact came back without an id' };
    }
    const update: Record<string, unknown> = {
      custom_attributes: profileValues(fieldMapOf(message.settings), message.variables),
    };
    if (contact.external_id !== externalId) update.external_id = externalId;
    const updated = await api.call('PUT', `/contacts/${encodeURIComponent(contact.id)}`, update);
    if ('error' in updated) return updated;
    return { status: 'sent', providerMessageId: contact.id };
  }

  async testConnection(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }> {
    const token = account.credentials.access_token;
    if (!token) return { ok: false, error: 'intercom: the account has no access_token' };
    const answer = await providerFetch(`${regionOrigin(this.options, account.settings, INTERCOM_REGIONS)}/me`, {
      headers: headers(token),
      timeoutMs: this.timeoutMs,
    });
    return connectionVerdict('intercom', answer, account.credentials, reasonOf);
  }
}

class IntercomApi {
  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly timeoutMs: number,
    private readonly credentials: Record<string, string>,
  ) {}

  /** A 2xx answer, or the failure as a result. */
  async call(
    method: string,
    path: string,
    body: unknown,
    opts: { conflictIsTransient?: boolean } = {},
  ): Promise<ProviderAnswer | FailedSend> {
    const answer = await providerFetch(`${this.base}${path}`, {
      method,
      headers: { ...headers(this.token), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.timeoutMs,
    });
    if (isTransportFailure(answer)) return transportResult('intercom', answer);
    if (answer.status >= 200 && answer.status < 300) return answer;
    const reason = reasonOf(answer);
    const failure = failureForStatus(
      'intercom',
      answer.status,
      answer.headers,
      reason === undefined ? undefined : redact(reason, this.credentials),
    );
    return answer.status === 409 && opts.conflictIsTransient ? { status: 'transient', error: failure.error } : failure;
  }

  /** The contact with this external id, else one with this email and no other external id. */
  async find(
    externalId: string,
    email: string | undefined,
  ): Promise<{ contact: IntercomContact | undefined } | FailedSend> {
    const byExternalId = { field: 'external_id', operator: '=', value: externalId };
    const query = email
      ? { operator: 'OR', value: [byExternalId, { field: 'email', operator: '=', value: email }] }
      : byExternalId;
    const answer = await this.call('POST', '/contacts/search', { query, pagination: { per_page: 10 } });
    if ('error' in answer) return answer;
    const data = (answer.json as { data?: unknown } | undefined)?.data;
    const contacts = (Array.isArray(data) ? data : []).filter(
      (c): c is IntercomContact => typeof (c as IntercomContact)?.id === 'string',
    );
    const contact =
      contacts.find((c) => c.external_id === externalId) ??
      contacts.find((c) => !c.external_id && email !== undefined && c.email?.toLowerCase() === email.toLowerCase());
    return { contact };
  }
}

type FailedSend = Exclude<SendResult, { status: 'sent' }>;

function headers(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, 'Intercom-Version': INTERCOM_VERSION, Accept: 'application/json' };
}

/** `{type: 'error.list', errors: [{code, message}]}`. */
function reasonOf(answer: ProviderAnswer): string | undefined {
  const errors = (answer.json as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const parts = (errors as { code?: unknown; message?: unknown }[])
    .map((e) => [e.code, e.message].filter((p): p is string => typeof p === 'string' && p !== '').join(': '))
    .filter((p) => p !== '');
  return parts.length > 0 ? parts.join('; ') : undefined;
}
