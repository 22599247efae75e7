import { htmlToText } from '../templates/html-to-text';
import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from './channel';
import {
  NO_ACCOUNT,
  basicAuth,
  originOf,
  baseUrlProblems,
  connectionVerdict,
  credentialProblems,
  failureForStatus,
  isTransportFailure,
  providerFetch,
  redact,
  retryAfterFromHeaders,
  stringField,
  transportResult,
  type ProviderAnswer,
  type ProviderOptions,
  plainReason,
} from './http-provider';
import { phoneRecipient, noSettings } from './recipients';

const PROVIDER = 'twilio';
const DEFAULT_BASE_URL = 'https://api.twilio.com';

/**
 * Twilio error codes that no retry fixes: invalid `To` (21211), not a mobile number (21614),
 * recipient replied STOP (21610), region not enabled (21408), invalid `From` (21606), `From`
 * cannot reach `To` (21612), auth (20003).
 */
const PERMANENT_CODES = new Set([20003, 21211, 21408, 21606, 21610, 21612, 21614]);
/** Too many concurrent requests: "not processed and safe to retry". */
const TRANSIENT_CODES = new Set([20429]);

function errorBody(answer: ProviderAnswer): { code?: number; message?: string } {
  const json = answer.json as { code?: unknown; message?: unknown } | undefined;
  return {
    ...(typeof json?.code === 'number' ? { code: json.code } : {}),
    ...(typeof json?.message === 'string' ? { message: json.message } : {}),
  };
}

function errorDetail(answer: ProviderAnswer): string | undefined {
  const { code, message } = errorBody(answer);
  return code !== undefined || message
    ? `${code ?? ''}${code !== undefined && message ? ' ' : ''}${message ?? ''}`
    : plainReason(answer);
}

/** Twilio Programmable Messaging (2010-04-01): one SMS per request, form-encoded. */
export class TwilioChannel implements Channel {
  readonly type = 'twilio';
  readonly unsubscribeKey = 'sms';

  readonly account: AccountSpec = {
    credentials: ['account_sid', 'auth_token'],
    validate: ({ credentials, settings }) => {
      const problems = [...credentialProblems(credentials, this.account.credentials), ...baseUrlProblems(settings)];
      if (credentials.account_sid !== undefined && !/^AC[0-9a-zA-Z]{32}$/.test(credentials.account_sid))
        problems.push('credential account_sid must be an account SID (AC…)');
      const from = settings.from;
      const service = settings.messaging_service_sid;
      if (from === undefined && service === undefined) problems.push('from or messaging_service_sid is required');
      if (from !== undefined && (typeof from !== 'string' || from.trim() === ''))
        problems.push('from must be a phone number or sender id');
      if (service !== undefined && (typeof service !== 'string' || !/^MG[0-9a-zA-Z]{32}$/.test(service)))
        problems.push('messaging_service_sid must be a messaging service SID (MG…)');
      return problems;
    },
  };

  constructor(private readonly options: ProviderOptions = {}) {}

  readonly recipient = phoneRecipient;

  readonly validateSettings = noSettings;

  async send(message: OutgoingMessage): Promise<SendResult> {
    const account = message.account;
    if (!account) return NO_ACCOUNT;
    const settings = account.settings;
    const form = new URLSearchParams({ To: message.to });
    // A messaging service picks the sender and queues over the account's throughput.
    if (typeof settings.messaging_service_sid === 'string')
      form.set('MessagingServiceSid', settings.messaging_service_sid);
    else form.set('From', String(settings.from ?? ''));
    form.set('Body', message.text ?? (message.html !== undefined ? htmlToText(message.html) : ''));
    const sid = account.credentials.account_sid ?? '';
    const answer = await providerFetch(
      `${originOf(this.options, DEFAULT_BASE_URL)}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`,
      {
        method: 'POST',
        headers: {
          Authorization: basicAuth(sid, account.credentials.auth_token ?? ''),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
        ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      },
    );
    if (isTransportFailure(answer)) return transportResult(PROVIDER, answer);
    if (answer.status >= 200 && answer.status < 300) {
      const id = stringField(answer.json, 'sid');
      return { status: 'sent', ...(id ? { providerMessageId: id } : {}) };
    }
    const { code } = errorBody(answer);
    const detailText = errorDetail(answer);
    const detail = detailText === undefined ? undefined : redact(detailText, account.credentials);
    if (code !== undefined && TRANSIENT_CODES.has(code)) {
      const retryAfterMs = retryAfterFromHeaders(answer.headers);
      return {
        status: 'transient',
        error: `${PROVIDER} answered ${answer.status}: ${detail ?? code}`,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    if (code !== undefined && PERMANENT_CODES.has(code))
      return { status: 'permanent', error: `${PROVIDER} answered ${answer.status}: ${detail ?? code}` };
    return failureForStatus(PROVIDER, answer.status, answer.headers, detail);
  }

  async testConnection(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }> {
    const sid = account.credentials.account_sid ?? '';
    const answer = await providerFetch(
      `${originOf(this.options, DEFAULT_BASE_URL)}/2010-04-01/Accounts/${encodeURIComponent(sid)}.json`,
      {
        headers: { Authorization: basicAuth(sid, account.credentials.auth_token ?? '') },
        ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      },
    );
    return connectionVerdict(PROVIDER, answer, account.credentials, errorDetail);
  }
}
