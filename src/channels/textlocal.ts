import { htmlToText } from '../templates/html-to-text';
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
  stringField,
  transportResult,
  type ProviderAnswer,
  type ProviderOptions,
  plainReason,
} from './http-provider';
import { phoneRecipient, noSettings } from './recipients';

const PROVIDER = 'textlocal';
const DEFAULT_BASE_URL = 'https://api.txtlocal.com';

/**
 * Textlocal error codes a later attempt may get past: "you cannot send messages at this time"
 * (192, sending-hours restrictions). The others — invalid login (3), no recipients (4), no
 * content (5), too long (6), insufficient credits (7), invalid number (32), bad sender (43/44),
 * no valid numbers (51)… — fail again unchanged.
 */
const TRANSIENT_CODES = new Set([192]);

interface TextlocalAnswer {
  status?: string;
  errors?: { code?: number; message?: string }[];
  messages?: { id?: string | number; recipient?: string | number }[];
}

function failureDetail(answer: ProviderAnswer): string | undefined {
  const errors = (answer.json as TextlocalAnswer | undefined)?.errors;
  return Array.isArray(errors)
    ? errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ')
    : plainReason(answer);
}

/**
 * Textlocal `POST /send/` (form fields, key in the body). It answers 200 even for failures,
 * so `status` decides; our message id goes in `custom`, echoed by delivery receipts.
 */
export class TextlocalChannel implements Channel {
  readonly type = 'textlocal';
  readonly unsubscribeKey = 'sms';

  readonly account: AccountSpec = {
    credentials: ['api_key'],
    validate: ({ credentials, settings }) => {
      const problems = [...credentialProblems(credentials, this.account.credentials), ...baseUrlProblems(settings)];
      if (typeof settings.sender !== 'string' || !/^[A-Za-z0-9]{3,11}$/.test(settings.sender))
        problems.push('sender must be 3 to 11 letters or digits');
      if (settings.test !== undefined && typeof settings.test !== 'boolean') problems.push('test must be a boolean');
      return problems;
    },
  };

  constructor(private readonly options: ProviderOptions = {}) {}

  readonly recipient = phoneRecipient;

  readonly validateSettings = noSettings;

  async send(message: OutgoingMessage): Promise<SendResult> {
    const account = message.account;
    if (!account) return NO_ACCOUNT;
    const form = new URLSearchParams({
      apikey: account.credentials.api_key ?? '',
      // Textlocal wants international numbers without the plus.
      numbers: message.to.replace(/^\+/, ''),
      sender: String(account.settings.sender ?? ''),
      message: message.text ?? (message.html !== undefined ? htmlToText(message.html) : ''),
      custom: message.id,
    });
    if (account.settings.test === true) form.set('test', 'true');
    const answer = await providerFetch(`${originOf(this.options, DEFAULT_BASE_URL)}/send/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    if (isTransportFailure(answer)) return transportResult(PROVIDER, answer);
    const json = answer.json as TextlocalAnswer | undefined;
    const detailText = failureDetail(answer);
    const detail = detailText === undefined ? undefined : redact(detailText, account.credentials);
    if (answer.status < 200 || answer.status >= 300)
      return failureForStatus(PROVIDER, answer.status, answer.headers, detail);
    if (json?.status === 'success') {
      const id = stringField(json.messages?.[0], 'id') ?? stringField(json, 'batch_id');
      return { status: 'sent', ...(id ? { providerMessageId: id } : {}) };
    }
    const codes = (json?.errors ?? []).map((e) => e.code).filter((c): c is number => typeof c === 'number');
    const error = `${PROVIDER}: ${detail ?? 'failure'}`;
    if (json?.status === 'failure')
      return codes.length > 0 && codes.every((c) => TRANSIENT_CODES.has(c))
        ? { status: 'transient', error }
        : { status: 'permanent', error };
    return { status: 'transient', error: `${PROVIDER}: unreadable answer` };
  }

  /** `POST /balance/`: authenticated, free, and says nothing is sent. */
  async testConnection(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }> {
    const answer = await providerFetch(`${originOf(this.options, DEFAULT_BASE_URL)}/balance/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ apikey: account.credentials.api_key ?? '' }).toString(),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    const verdict = connectionVerdict(PROVIDER, answer, account.credentials, failureDetail);
    if (!verdict.ok || isTransportFailure(answer)) return verdict;
    // A wrong key is a 200 with `status: failure`.
    if ((answer.json as TextlocalAnswer | undefined)?.status === 'success') return { ok: true };
    return { ok: false, error: redact(`${PROVIDER}: ${failureDetail(answer) ?? 'failure'}`, account.credentials) };
  }
}
