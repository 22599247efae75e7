import { createHash } from 'node:crypto';
import { htmlToText } from '../templates/html-to-text';
import type { AccountSpec, Channel, OutgoingMessage, SendResult } from './channel';
import {
  NO_ACCOUNT,
  originOf,
  baseUrlProblems,
  credentialProblems,
  failureForStatus,
  isTransportFailure,
  providerFetch,
  redact,
  stringField,
  transportResult,
  type ProviderOptions,
  plainReason,
  redactOptional,
} from './http-provider';
import { phoneRecipient, noSettings } from './recipients';

const PROVIDER = 'cm_telecom';
const DEFAULT_BASE_URL = 'https://gw.messaging.cm.com';
/** CM's cap on `msg` elements per request. */
export const CM_MAX_MESSAGES = 1000;

/**
 * CM's (per-request or per-message) error codes that a retry may fix: internal error (500) and
 * unknown (999). Everything else — auth 101/103, balance 102, malformed 202/203, bad fields
 * 301–305, spam/blacklist/rejected 401–403 — fails again unchanged.
 */
const TRANSIENT_CODES = new Set([500, 999]);

/**
 * CM's `reference` is 1–32 alphanumerics and our message ids are longer: a digest of the id,
 * which a status report can be matched against by recomputing it.
 */
export function cmReference(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 32);
}

/** CM's examples use `00`-prefixed international numbers. */
function cmNumber(e164: string): string {
  return `00${e164.replace(/^\+/, '')}`;
}

interface CmMessageAnswer {
  to?: string;
  status?: string;
  reference?: string;
  messageDetails?: string;
  messageErrorCode?: number;
}

/** CM.com Business Messaging (`POST /v1.0/message`), SMS only; several `msg`s per request. */
export class CmTelecomChannel implements Channel {
  readonly type = 'cm_telecom';
  readonly unsubscribeKey = 'sms';

  readonly account: AccountSpec = {
    credentials: ['product_token'],
    validate: ({ credentials, settings }) => {
      const problems = [...credentialProblems(credentials, this.account.credentials), ...baseUrlProblems(settings)];
      const from = settings.from;
      // An alphanumeric sender is at most 11 characters; a numeric one at most 16 digits.
      if (typeof from !== 'string' || !/^([A-Za-z0-9 ]{1,11}|\+?\d{1,16})$/.test(from))
        problems.push('from must be a sender id (up to 11 letters/digits) or a phone number');
      return problems;
    },
  };

  constructor(private readonly options: ProviderOptions = {}) {}

  readonly recipient = phoneRecipient;

  readonly validateSettings = noSettings;

  async send(message: OutgoingMessage): Promise<SendResult> {
    return (await this.sendBatch([message]))[0] ?? NO_ACCOUNT;
  }

  /** One request per account and 1000 messages; each result read from CM's per-message answer. */
  async sendBatch(messages: OutgoingMessage[]): Promise<SendResult[]> {
    const results: SendResult[] = messages.map(() => NO_ACCOUNT);
    const byAccount = new Map<string, number[]>();
    messages.forEach((m, i) => {
      if (!m.account) return;
      const list = byAccount.get(m.account.id) ?? [];
      list.push(i);
      byAccount.set(m.account.id, list);
    });
    for (const indexes of byAccount.values()) {
      for (let start = 0; start < indexes.length; start += CM_MAX_MESSAGES) {
        const chunk = indexes.slice(start, start + CM_MAX_MESSAGES);
        const chunkResults = await this.post(chunk.map((i) => messages[i] as OutgoingMessage));
        chunk.forEach((i, k) => {
          results[i] = chunkResults[k] ?? NO_ACCOUNT;
        });
      }
    }
    return results;
  }

  private async post(messages: OutgoingMessage[]): Promise<SendResult[]> {
    const account = messages[0]?.account;
    if (!account) return messages.map(() => NO_ACCOUNT);
    const from = String(account.settings.from ?? '');
    const body = {
      messages: {
        msg: messages.map((m) => ({
          from,
          to: [{ number: cmNumber(m.to) }],
          body: { type: 'auto', content: m.text ?? (m.html !== undefined ? htmlToText(m.html) : '') },
          reference: cmReference(m.id),
          allowedChannels: ['SMS'],
        })),
      },
    };
    const answer = await providerFetch(`${originOf(this.options, DEFAULT_BASE_URL)}/v1.0/message`, {
      method: 'POST',
      headers: { 'X-CM-PRODUCTTOKEN': account.credentials.product_token ?? '', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    if (isTransportFailure(answer)) return messages.map(() => transportResult(PROVIDER, answer));

    const json = answer.json as { details?: unknown; errorCode?: unknown; messages?: unknown } | undefined;
    const perMessage = Array.isArray(json?.messages) ? (json.messages as CmMessageAnswer[]) : [];
    const byReference = new Map(
      perMessage.filter((a) => typeof a.reference === 'string').map((a) => [a.reference as string, a]),
    );
    const requestCode = typeof json?.errorCode === 'number' ? json.errorCode : undefined;
    const requestDetail = typeof json?.details === 'string' ? redact(json.details, account.credentials) : undefined;

    return messages.map((m) => {
      const own = byReference.get(cmReference(m.id));
      if (own?.status === 'Accepted') return { status: 'sent', providerMessageId: own.reference ?? cmReference(m.id) };
      if (own?.status === 'Rejected') {
        const code = typeof own.messageErrorCode === 'number' ? own.messageErrorCode : undefined;
        const detail = redact(stringField(own, 'messageDetails') ?? 'rejected', account.credentials);
        const error = `${PROVIDER}: message rejected${code !== undefined ? ` (${code})` : ''}: ${detail}`;
        return code !== undefined && TRANSIENT_CODES.has(code)
          ? { status: 'transient', error }
          : { status: 'permanent', error };
      }
      // No answer for this message: the request as a whole decides (auth, malformed body, 5xx, 429).
      if (answer.status >= 200 && answer.status < 300 && (requestCode === undefined || requestCode === 0))
        return { status: 'sent', providerMessageId: cmReference(m.id) };
      if (requestCode !== undefined && TRANSIENT_CODES.has(requestCode))
        return {
          status: 'transient',
          error: `${PROVIDER}: error ${requestCode}${requestDetail ? `: ${requestDetail}` : ''}`,
        };
      if (answer.status >= 200 && answer.status < 300)
        return {
          status: 'permanent',
          error: `${PROVIDER}: error ${requestCode ?? ''}${requestDetail ? `: ${requestDetail}` : ''}`,
        };
      return failureForStatus(
        PROVIDER,
        answer.status,
        answer.headers,
        requestDetail ?? redactOptional(plainReason(answer), account.credentials),
      );
    });
  }
}
