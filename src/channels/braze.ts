import type { CustomerDoc } from '../models/customer';
import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from './channel';
import { externalIdOf, fieldMapOf, profileValues, validateFieldMap } from './profile-fields';
import {
  baseUrlProblems,
  failureForStatus,
  isTransportFailure,
  originOf,
  plainReason,
  providerFetch,
  redact,
  transportResult,
  type ProviderAnswer,
  type ProviderOptions,
} from './http-provider';

/** `/users/track` takes up to 75 attributes objects per request (research §10: 50 on some contracts — see the constructor). */
export const BRAZE_TRACK_BATCH = 75;

const IDENTIFY_BY = ['external_id', 'email'] as const;
type IdentifyBy = (typeof IDENTIFY_BY)[number];

/**
 * Writes the code and mapped variables onto the customer's Braze profile as custom
 * attributes (`POST /users/track`), so a Canvas or campaign there sends it. The profile is
 * identified by `external_id` (the customer's `source_id`, else our id) or, with
 * `settings.identify_by: 'email'`, by email. Setting attributes is an upsert, so a retried
 * send rewrites the same values: Braze has no idempotency key and none is needed.
 *
 * No `testConnection`: every Braze endpoint needs its own permission on the key, and the only
 * one this key must have is `users.track`, whose every call writes a profile (and counts
 * toward data points); an empty `users.track` is answered in an undocumented way. A call to
 * another endpoint would fail for a key that is fine for this channel.
 */
export class BrazeChannel implements Channel {
  readonly type = 'braze';
  readonly unsubscribeKey = 'braze';

  readonly account: AccountSpec = {
    credentials: ['api_key'],
    validate: (account) => restEndpointProblems(account.settings),
  };

  private readonly batchSize: number;

  /**
   * The call is one JSON POST, made through the outbound guard like every other provider's
   * (the braze-api SDK's node-fetch followed same-host redirects with the key and read no
   * rate-limit headers).
   */
  constructor(private readonly options: ProviderOptions & { batchSize?: number } = {}) {
    this.batchSize = options.batchSize ?? BRAZE_TRACK_BATCH;
  }

  recipient(customer: CustomerDoc, settings: Record<string, unknown>): { to: string } | { skip: string } {
    if (identifyBy(settings) === 'email') {
      const email = customer.email?.trim();
      return email ? { to: email } : { skip: 'missing_email' };
    }
    return { to: externalIdOf(customer) };
  }

  validateSettings(settings: Record<string, unknown>): string[] {
    const problems = validateFieldMap(settings.fields);
    if (settings.identify_by !== undefined && !IDENTIFY_BY.includes(settings.identify_by as IdentifyBy)) {
      problems.push(`identify_by must be one of ${IDENTIFY_BY.join(', ')}`);
    }
    return problems;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const [result] = await this.sendBatch([message]);
    return result ?? { status: 'permanent', error: 'braze: no result' };
  }

  /** One `users.track` per `batchSize` messages of the same account; one result per message, in order. */
  async sendBatch(messages: OutgoingMessage[]): Promise<SendResult[]> {
    const results: SendResult[] = new Array<SendResult>(messages.length);
    const groups = new Map<string, number[]>();
    messages.forEach((m, i) => {
      const key = m.account?.id ?? '';
      const group = groups.get(key) ?? [];
      group.push(i);
      groups.set(key, group);
    });
    for (const indexes of groups.values()) {
      for (let start = 0; start < indexes.length; start += this.batchSize) {
        const chunk = indexes.slice(start, start + this.batchSize);
        const chunkResults = await this.track(chunk.map((i) => messages[i]!));
        chunk.forEach((i, k) => {
          results[i] = chunkResults[k]!;
        });
      }
    }
    return results;
  }

  /** The account's cluster endpoint, or the operator's replacement for every account (PROVIDER_BASE_URLS). */
  private endpointOf(account: ChannelAccount): string | undefined {
    const url = account.settings.rest_endpoint;
    return typeof url === 'string' && REST_ENDPOINT.test(url) ? originOf(this.options, url) : undefined;
  }

  private async track(messages: OutgoingMessage[]): Promise<SendResult[]> {
    const first = messages[0]!;
    const account = first.account;
    if (!account?.credentials.api_key)
      return messages.map(() => ({ status: 'permanent', error: 'braze: the channel has no account with an api_key' }));
    const apiUrl = this.endpointOf(account);
    if (!apiUrl) return messages.map(() => ({ status: 'permanent', error: 'braze: the account has no rest_endpoint' }));
    const attributes = messages.map((m) => ({
      [identifyBy(m.settings) === 'email' ? 'email' : 'external_id']: m.to,
      ...profileValues(fieldMapOf(m.settings), m.variables),
    }));
    const credentials = account.credentials;
    const answer = await providerFetch(`${apiUrl}/users/track`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${credentials.api_key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ attributes }),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    if (isTransportFailure(answer)) {
      const result = transportResult('braze', answer);
      return messages.map(() => result);
    }
    if (answer.status < 200 || answer.status >= 300) {
      const result = failureForStatus('braze', answer.status, answer.headers, errorDetail(answer, credentials));
      return messages.map(() => result);
    }
    const errors = (answer.json as { errors?: unknown } | undefined)?.errors;
    // A partly failed request is still "success", with an error per refused object (by index).
    const refused = new Map<number, string>();
    for (const e of Array.isArray(errors) ? errors : []) {
      const { index, type } = e as { index?: unknown; type?: unknown };
      if (typeof index === 'number') refused.set(index, typeof type === 'string' ? type : 'refused');
    }
    return messages.map((m, i): SendResult => {
      const reason = refused.get(i);
      // Braze returns no id for an attribute write: the profile's identifier is what ties it back.
      return reason === undefined
        ? { status: 'sent', providerMessageId: m.to }
        : { status: 'permanent', error: `braze refused the profile update: ${redact(reason, credentials)}` };
    });
  }
}

function identifyBy(settings: Record<string, unknown>): IdentifyBy {
  return settings.identify_by === 'email' ? 'email' : 'external_id';
}

/**
 * Braze's REST endpoints, one per cluster (US-01…US-08 on iad, US-10, EU-01/EU-02 on fra):
 * only Braze's own hosts receive the key.
 */
const REST_ENDPOINT = /^https:\/\/rest\.(?:(?:iad|us)-\d{2}\.braze\.com|fra-\d{2}\.braze\.eu)\/?$/;

function restEndpointProblems(settings: Record<string, unknown>): string[] {
  const problems = baseUrlProblems(settings);
  if (settings.rest_endpoint === undefined) problems.push('rest_endpoint is required');
  else if (typeof settings.rest_endpoint !== 'string' || !REST_ENDPOINT.test(settings.rest_endpoint))
    problems.push(
      "rest_endpoint must be your Braze cluster's REST endpoint, e.g. https://rest.iad-01.braze.com or https://rest.fra-01.braze.eu",
    );
  return problems;
}

/** Braze's reason for a refused request: its JSON `message`, else a short plain-text body; keys scrubbed. */
function errorDetail(answer: ProviderAnswer, credentials: Record<string, string>): string | undefined {
  const message = (answer.json as { message?: unknown } | undefined)?.message;
  const detail = typeof message === 'string' && message !== '' ? message : plainReason(answer);
  return detail === undefined ? undefined : redact(detail, credentials);
}
