import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from './channel';
import {
  NO_ACCOUNT,
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
  redactOptional,
} from './http-provider';
import { emailRecipient, noSettings } from './recipients';
import { senderProblems } from './email-groups';

const PROVIDER = 'mandrill';
/** `/api/1.0` is what Mandrill's examples and clients use; its OpenAPI file names `/api/1.4`. */
const DEFAULT_BASE_URL = 'https://mandrillapp.com';
const API_PATH = '/api/1.0';

/**
 * Mandrill answers every error with `{status:"error", name, message}` (usually HTTP 500),
 * so the `name` decides; codes collide (-2 is both ValidationError and ServiceUnavailable).
 */
const TRANSIENT_ERRORS = new Set(['RequestLimitExceeded', 'GeneralError', 'ServiceUnavailable']);

interface MandrillError {
  status: 'error';
  name?: string;
  message?: string;
}

function asError(json: unknown): MandrillError | undefined {
  return json !== null && typeof json === 'object' && (json as { status?: unknown }).status === 'error'
    ? (json as MandrillError)
    : undefined;
}

function errorDetail(answer: ProviderAnswer): string | undefined {
  const e = asError(answer.json);
  return e ? [e.name, e.message].filter(Boolean).join(': ') : plainReason(answer);
}

/**
 * Mailchimp Transactional (Mandrill) `messages/send`. The API key travels in the body; our
 * message id goes in `metadata` (Mandrill has no idempotency key).
 */
export class MandrillChannel implements Channel {
  readonly type = 'mandrill';
  readonly unsubscribeKey = 'email';

  readonly account: AccountSpec = {
    credentials: ['api_key'],
    validate: ({ credentials, settings }) => {
      const problems = [...credentialProblems(credentials, this.account.credentials), ...baseUrlProblems(settings)];
      problems.push(...senderProblems(settings));
      if (settings.subaccount !== undefined && typeof settings.subaccount !== 'string')
        problems.push('subaccount must be a string');
      return problems;
    },
  };

  constructor(private readonly options: ProviderOptions = {}) {}

  readonly recipient = emailRecipient;

  readonly validateSettings = noSettings;

  async send(message: OutgoingMessage): Promise<SendResult> {
    const account = message.account;
    if (!account) return NO_ACCOUNT;
    const settings = account.settings;
    const body = {
      key: account.credentials.api_key ?? '',
      message: {
        ...(message.html !== undefined ? { html: message.html } : {}),
        ...(message.text !== undefined ? { text: message.text } : {}),
        // Mandrill generates the text part itself when only html is given.
        ...(message.text === undefined && message.html !== undefined ? { auto_text: true } : {}),
        subject: message.subject ?? '',
        from_email: String(settings.from ?? ''),
        ...(typeof settings.from_name === 'string' ? { from_name: settings.from_name } : {}),
        to: [{ email: message.to, type: 'to' as const }],
        preserve_recipients: false,
        metadata: { message_id: message.id },
        ...(typeof settings.subaccount === 'string' ? { subaccount: settings.subaccount } : {}),
      },
    };
    const answer = await providerFetch(`${originOf(this.options, DEFAULT_BASE_URL)}${API_PATH}/messages/send`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    if (isTransportFailure(answer)) return transportResult(PROVIDER, answer);
    return this.resultOf(answer, account);
  }

  async testConnection(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }> {
    const answer = await providerFetch(`${originOf(this.options, DEFAULT_BASE_URL)}${API_PATH}/users/ping`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: account.credentials.api_key ?? '' }),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    return connectionVerdict(PROVIDER, answer, account.credentials, errorDetail);
  }

  private resultOf(answer: ProviderAnswer, account: ChannelAccount): SendResult {
    const error = asError(answer.json);
    if (error) {
      const detail = redact([error.name, error.message].filter(Boolean).join(': '), account.credentials);
      if (error.name && TRANSIENT_ERRORS.has(error.name)) {
        const retryAfterMs = retryAfterFromHeaders(answer.headers);
        return {
          status: 'transient',
          error: `${PROVIDER}: ${detail}`,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        };
      }
      // Invalid_Key, PaymentRequired, Unknown_Subaccount, ValidationError…: the same request fails again.
      if (error.name) return { status: 'permanent', error: `${PROVIDER}: ${detail}` };
      return failureForStatus(PROVIDER, answer.status, answer.headers, detail);
    }
    if (answer.status < 200 || answer.status >= 300) {
      return failureForStatus(
        PROVIDER,
        answer.status,
        answer.headers,
        redactOptional(plainReason(answer), account.credentials),
      );
    }
    // One entry per recipient; we send one recipient per call.
    const entry: unknown = Array.isArray(answer.json) ? answer.json[0] : undefined;
    const status = stringField(entry, 'status');
    const id = stringField(entry, '_id');
    if (status === 'sent' || status === 'queued' || status === 'scheduled')
      return { status: 'sent', ...(id ? { providerMessageId: id } : {}) };
    if (status === 'rejected' || status === 'invalid') {
      const reason = stringField(entry, 'reject_reason') ?? status;
      return { status: 'permanent', error: `${PROVIDER}: recipient ${status} (${reason})` };
    }
    // An entry with a status we do not know still means Mandrill took the message; retrying would duplicate it.
    if (entry !== undefined) return { status: 'sent', ...(id ? { providerMessageId: id } : {}) };
    return { status: 'transient', error: `${PROVIDER}: unexpected answer ${answer.status}` };
  }
}
