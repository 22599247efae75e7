import { htmlToText } from '../templates/html-to-text';
import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from './channel';
import {
  EMAIL_ADDRESS,
  NO_ACCOUNT,
  baseUrlProblems,
  connectionVerdict,
  credentialProblems,
  failureForStatus,
  isTransportFailure,
  providerFetch,
  redact,
  transportResult,
  regionOrigin,
  regionProblems,
  type ProviderAnswer,
  type ProviderOptions,
  type Regions,
  plainReason,
} from './http-provider';
import { emailRecipient, noSettings } from './recipients';
import { sendInContentGroups, sendToValidAddresses, senderProblems } from './email-groups';

const PROVIDER = 'sendgrid';
/** SendGrid's API hosts: global, and the one EU regional subusers must use. */
export const SENDGRID_REGIONS: Regions = { global: 'https://api.sendgrid.com', eu: 'https://api.eu.sendgrid.com' };
/** SendGrid's cap on personalizations (and recipients) per request. */
export const SENDGRID_MAX_PERSONALIZATIONS = 1000;

/** SendGrid's `{errors:[{message, field}]}`, as one line. */
function errorDetail(answer: ProviderAnswer): string | undefined {
  const errors = (answer.json as { errors?: { message?: unknown; field?: unknown }[] } | undefined)?.errors;
  if (!Array.isArray(errors)) return plainReason(answer);
  return errors.map((e) => `${typeof e.field === 'string' ? `${e.field}: ` : ''}${String(e.message ?? '')}`).join('; ');
}

/**
 * SendGrid v3 Mail Send. No idempotency key exists, so our message id rides in `custom_args`
 * (echoed by the Event Webhook) for reconciliation after an ambiguous retry.
 */
export class SendGridChannel implements Channel {
  readonly type = 'sendgrid';
  readonly unsubscribeKey = 'email';

  readonly account: AccountSpec = {
    credentials: ['api_key'],
    validate: ({ credentials, settings }) => {
      const problems = [
        ...credentialProblems(credentials, this.account.credentials),
        ...baseUrlProblems(settings),
        ...regionProblems(settings, SENDGRID_REGIONS),
      ];
      problems.push(...senderProblems(settings));
      if (
        settings.reply_to !== undefined &&
        (typeof settings.reply_to !== 'string' || !EMAIL_ADDRESS.test(settings.reply_to))
      )
        problems.push('reply_to must be an email address');
      return problems;
    },
  };

  constructor(private readonly options: ProviderOptions = {}) {}

  readonly recipient = emailRecipient;

  readonly validateSettings = noSettings;

  send(message: OutgoingMessage): Promise<SendResult> {
    return this.sendGroup([message]).then((r) => r[0] ?? NO_ACCOUNT);
  }

  /** Messages of one content share a request (a personalization each); others go in requests of their own. */
  sendBatch(messages: OutgoingMessage[]): Promise<SendResult[]> {
    return sendInContentGroups(messages, SENDGRID_MAX_PERSONALIZATIONS, (group) => this.sendGroup(group));
  }

  async testConnection(account: ChannelAccount): Promise<{ ok: true } | { ok: false; error: string }> {
    const answer = await providerFetch(`${regionOrigin(this.options, account.settings, SENDGRID_REGIONS)}/v3/scopes`, {
      headers: { Authorization: `Bearer ${account.credentials.api_key ?? ''}` },
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    return connectionVerdict(PROVIDER, answer, account.credentials, errorDetail);
  }

  /** One request for messages that share account and content. */
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
    const text = content.text ?? (content.html !== undefined ? htmlToText(content.html) : undefined);
    const body = {
      personalizations: recipients.map((m) => ({ to: [{ email: m.to }], custom_args: { message_id: m.id } })),
      from: {
        email: String(settings.from ?? ''),
        ...(typeof settings.from_name === 'string' ? { name: settings.from_name } : {}),
      },
      ...(typeof settings.reply_to === 'string' ? { reply_to: { email: settings.reply_to } } : {}),
      subject: content.subject || ' ',
      // SendGrid wants text/plain before text/html.
      content: [
        ...(text !== undefined ? [{ type: 'text/plain', value: text || ' ' }] : []),
        ...(content.html !== undefined ? [{ type: 'text/html', value: content.html }] : []),
      ],
    };
    if (body.content.length === 0) body.content.push({ type: 'text/plain', value: ' ' });
    const answer = await providerFetch(
      `${regionOrigin(this.options, account.settings, SENDGRID_REGIONS)}/v3/mail/send`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${account.credentials.api_key ?? ''}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      },
    );
    if (isTransportFailure(answer)) return transportResult(PROVIDER, answer);
    if (answer.status >= 200 && answer.status < 300) {
      const id = answer.headers.get('x-message-id');
      return { status: 'sent', ...(id ? { providerMessageId: id } : {}) };
    }
    const detail = errorDetail(answer);
    return failureForStatus(
      PROVIDER,
      answer.status,
      answer.headers,
      detail === undefined ? undefined : redact(detail, account.credentials),
    );
  }
}
