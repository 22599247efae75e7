import { htmlToText } from '../templates/html-to-text';
import type { Channel, OutgoingMessage, SendResult } from './channel';
import type { MailTransport } from './mail-transport';
import { emailRecipient } from './recipients';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * A deterministic `Message-ID` from the message record's id: a retried send carries the same
 * one, so receivers (and their spam filters) can tell it is the same mail.
 */
export function emailMessageId(id: string): string {
  return `<${id.replace(/[^A-Za-z0-9._-]/g, '_')}@promo-engine>`;
}

/** The built-in email channel: SMTP when configured, else `.eml` files in the outbox folder. */
export class EmailChannel implements Channel {
  readonly type = 'email';
  readonly unsubscribeKey = 'email';

  /** The transport is built on first use, so a registry that never sends mail never connects. */
  constructor(private readonly transport: () => MailTransport) {}

  readonly recipient = emailRecipient;

  validateSettings(settings: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const replyTo = settings.reply_to;
    if (replyTo !== undefined && (typeof replyTo !== 'string' || !EMAIL.test(replyTo)))
      problems.push('reply_to must be an email address');
    return problems;
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const replyTo = typeof message.settings.reply_to === 'string' ? message.settings.reply_to : undefined;
    // Mail clients and spam filters expect a plain-text part; derive one when the template has none.
    const text = message.text ?? (message.html !== undefined ? htmlToText(message.html) : undefined);
    return this.transport().send({
      to: message.to,
      subject: message.subject ?? '',
      ...(message.html !== undefined ? { html: message.html } : {}),
      ...(text !== undefined ? { text } : {}),
      messageId: emailMessageId(message.id),
      ...(replyTo ? { replyTo } : {}),
      headers: { 'X-Promo-Message-Id': message.id },
    });
  }
}
