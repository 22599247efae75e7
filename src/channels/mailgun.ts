import { FormData } from '../outbound/outbound-fetch';
import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from './channel';
import {
  NO_ACCOUNT,
  basicAuth,
  baseUrlProblems,
  connectionVerdict,
  credentialProblems,
  failureForStatus,
  isTransportFailure,
  providerFetch,
  redact,
  stringField,
  transportResult,
  regionOrigin,
  regionProblems,
  type ProviderAnswer,
  type ProviderOptions,
  type Regions,
  plainReason,
} from './http-provider';
import { MAX_RETRY_AFTER_MS } from './retry-after';
import { emailRecipient, noSettings } from './recipients';
import { sendInContentGroups, sendToValidAddresses, senderProblems } from './email-groups';

const PROVIDER = 'mailgun';
/** Mailgun's API hosts: a domain lives in the US or the EU region. */
export const MAILGUN_REGIONS: Regions = { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' };
/** Mailgun's cap on recipients of one batch send. */
export const MAILGUN_MAX_RECIPIENTS = 1000;
const DOMAIN = /^[a-z0-9.-]+\.[a-z]{2,}$/i;

function errorDetail(answer: ProviderAnswer): string | undefined {
  return stringField(answer.json, 'message') ?? plainReason(answer);
}

/** Mailgun's 429 says when in its text ("… try again after 120 seconds") more often than in a header. */
export function mailgunRetryAfterMs(text: string | undefined): number | undefined {
  const m = text ? /try again after (\d+) seconds?/i.exec(text) : null;
  return m?.[1] ? Math.min(Number(m[1]) * 1000, MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * Mailgun `POST /v3/{domain}/messages` (multipart). Our message id rides as the `v:message_id`
 * user variable, per recipient in batches via `recipient-variables`.
 */
export class MailgunChannel implements Channel {
  readonly type = 'mailgun';
  readonly unsubscribeKey = 'email';

  readonly account: AccountSpec = {
    credentials: ['api_key'],
    validate: ({ credentials, settings }) => {
      const problems = [
        ...credentialProblems(credentials, this.account.credentials),
        ...baseUrlProblems(settings),
        ...regionProblems(settings, MAILGUN_REGIONS),
      ];
      if (typeof settings.domain !== 'string' || !DOMAIN.test(settings.domain))
        problems.push('domain must be a sending domain, e.g. mg.example.com');
      problems.push(...senderProblems(settings));
      return problems;
    },
  };

  constructor(private readonly options: ProviderOptions = {}) {}

  readonly recipient = emailRecipient;

  readonly validateSettings = noSettings;

  async send(message: OutgoingMessage): Promise<SendResult> {
    return (await this.sendGroup([message]))[0] ?? NO_ACCOUNT;
  }

  /** Messages of one content share a request (`to` list + `recipient-variables`); others go alone. */
  sendBatch(messages: OutgoingMessage[]): Promise<SendResult[]> {
    return sendInContentGroups(messages, MAILGUN_MAX_RECIPIENTS, (group) => this.sendGroup(group));
  }

  /** `GET /v4/domains/{name}`: authenticated and cheap (the v3 variant is deprecated and absent from Mailgun's spec). */
  async testConnection(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }> {
    const domain = encodeURIComponent(String(account.settings.domain ?? ''));
    const answer = await providerFetch(
      `${regionOrigin(this.options, account.settings, MAILGUN_REGIONS)}/v4/domains/${domain}`,
      {
        headers: { Authorization: basicAuth('api', account.credentials.api_key ?? '') },
        ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      },
    );
    return connectionVerdict(PROVIDER, answer, account.credentials, errorDetail);
  }

  private sendGroup(messages: OutgoingMessage[]): Promise<SendResult[]> {
    return sendToValidAddresses(PROVIDER, messages, (account, content, recipients) =>
      this.post(account, content, recipients),
    );
  }

  private async post(
    account: ChannelAccount,
    content: OutgoingMessage,
    recipients: OutgoingMessage[],
  ): Promise<SendResult> {
    const settings = account.settings;
    const from =
      typeof settings.from_name === 'string'
        ? `${settings.from_name.replace(/["\\]/g, '')} <${String(settings.from)}>`
        : String(settings.from ?? '');
    const form = new FormData();
    form.append('from', from);
    for (const m of recipients) form.append('to', m.to);
    form.append('subject', content.subject ?? '');
    if (content.html !== undefined) form.append('html', content.html);
    if (content.text !== undefined || content.html === undefined) form.append('text', content.text ?? '');
    if (recipients.length === 1) {
      form.append('v:message_id', recipients[0]?.id ?? '');
    } else {
      // Without recipient-variables Mailgun would send one mail showing every address; with them each gets their own.
      form.append(
        'recipient-variables',
        JSON.stringify(Object.fromEntries(recipients.map((m) => [m.to, { message_id: m.id }]))),
      );
      form.append('v:message_id', '%recipient.message_id%');
    }
    const answer = await providerFetch(
      `${regionOrigin(this.options, account.settings, MAILGUN_REGIONS)}/v3/${encodeURIComponent(String(settings.domain ?? ''))}/messages`,
      {
        method: 'POST',
        headers: { Authorization: basicAuth('api', account.credentials.api_key ?? '') },
        body: form,
        ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      },
    );
    if (isTransportFailure(answer)) return transportResult(PROVIDER, answer);
    if (answer.status >= 200 && answer.status < 300) {
      const id = stringField(answer.json, 'id');
      return { status: 'sent', ...(id ? { providerMessageId: id } : {}) };
    }
    const detail = errorDetail(answer);
    const result = failureForStatus(
      PROVIDER,
      answer.status,
      answer.headers,
      detail === undefined ? undefined : redact(detail, account.credentials),
    );
    if (result.status === 'transient' && result.retryAfterMs === undefined) {
      const fromText = mailgunRetryAfterMs(detail);
      if (fromText !== undefined) return { ...result, retryAfterMs: fromText };
    }
    return result;
  }
}
