import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { DistributionSettings } from '../distributions/settings';
import type { Logger } from '../logger';
import type { SendResult } from './channel';

/** One mail as the transport takes it. */
export interface Mail {
  to: string;
  subject: string;
  html?: string;
  text?: string;
  /** With its angle brackets: `<…@promo-engine>`. */
  messageId?: string;
  replyTo?: string;
  headers?: Record<string, string>;
}

/** Sends mail over SMTP (`smtpUrl`) or, without one, writes `.eml` files into `outboxDir`. */
export interface MailTransport {
  send(mail: Mail): Promise<SendResult>;
  close(): void;
}

/** A pooled connection nobody used for this long is closed, so an idle process holds no sockets. */
const IDLE_CLOSE_MS = 5_000;

/** SMTP error codes that say the network or server hiccupped, not that the mail is bad. */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

interface MailError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * Builds the transport; nothing connects until the first send. Pooled SMTP connections are
 * reused across sends and closed after a few idle seconds.
 */
export function createMailTransport(
  mail: DistributionSettings['mail'],
  logger: Logger,
  options: { pool?: boolean } = {},
): MailTransport {
  const secrets = mail.smtpUrl ? urlSecrets(mail.smtpUrl) : [];
  const scrub = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), text);
  if (!mail.smtpUrl) return outboxTransport(mail, scrub);

  const smtpOptions = smtpOptionsFrom(mail.smtpUrl, options.pool ?? true, mail.requireTls ?? true);
  let transporter: Transporter | undefined;
  let inFlight = 0;
  let idleTimer: NodeJS.Timeout | undefined;

  const closeTransporter = (): void => {
    transporter?.close();
    transporter = undefined;
  };

  return {
    async send(m) {
      if (idleTimer) clearTimeout(idleTimer);
      transporter ??= nodemailer.createTransport(smtpOptions);
      inFlight++;
      try {
        const info = (await transporter.sendMail({ from: mail.from, ...m })) as {
          messageId?: string;
          response?: string;
        };
        return { status: 'sent', ...(info.messageId ? { providerMessageId: info.messageId } : {}) };
      } catch (err) {
        const result = classifyMailError(err as MailError, scrub);
        logger.debug(
          { code: (err as MailError).code, responseCode: (err as MailError).responseCode },
          'smtp send failed',
        );
        return result;
      } finally {
        inFlight--;
        if (inFlight === 0) {
          idleTimer = setTimeout(closeTransporter, IDLE_CLOSE_MS);
          idleTimer.unref();
        }
      }
    },
    close() {
      if (idleTimer) clearTimeout(idleTimer);
      closeTransporter();
    },
  };
}

/** 4xx and network trouble are worth retrying; 5xx is the server's final word, with its text. */
export function classifyMailError(err: MailError, scrub: (text: string) => string = (t) => t): SendResult {
  const code = err.responseCode;
  const text = scrub(err.response ?? err.message ?? 'unknown mail error');
  if (typeof code === 'number') {
    if (code >= 400 && code < 500) return { status: 'transient', error: `SMTP ${text}` };
    if (code >= 500) return { status: 'permanent', error: `SMTP ${text}` };
  }
  if (err.code && TRANSIENT_CODES.has(err.code)) return { status: 'transient', error: `SMTP ${err.code}: ${text}` };
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH' || err.code === 'ECONFIG' || err.code === 'EENVELOPE') {
    return { status: 'permanent', error: `SMTP ${err.code}: ${text}` };
  }
  // Unknown: a retry costs little and the delivery's retry policy bounds it.
  return { status: 'transient', error: `SMTP ${err.code ?? 'error'}: ${text}` };
}

function smtpOptionsFrom(smtpUrl: string, pool: boolean, requireTls: boolean): SMTPPool.Options {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const ignoreTls = url.searchParams.get('ignoreTLS') === 'true';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  return {
    pool,
    maxConnections: 5,
    maxMessages: 100,
    host: url.hostname,
    port,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // A local relay without TLS (`smtp://…?ignoreTLS=true`) must not be forced into STARTTLS.
    ...(ignoreTls ? { ignoreTLS: true } : {}),
    // Otherwise a server (or a man in the middle) that offers no STARTTLS must not get the mail and the password in clear.
    ...(!secure && !ignoreTls && requireTls ? { requireTLS: true } : {}),
  } as SMTPPool.Options;
}

/** Parts of an SMTP URL that must never reach an error text or a log. */
function urlSecrets(smtpUrl: string): string[] {
  try {
    const url = new URL(smtpUrl);
    if (!url.password) return [];
    return [...new Set([url.password, decodeURIComponent(url.password)])].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}

/** The `npm start` default: each mail an `.eml` file a developer can open. */
function outboxTransport(mail: DistributionSettings['mail'], scrub: (text: string) => string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(m) {
      try {
        const info = (await transporter.sendMail({ from: mail.from, ...m })) as { messageId: string; message: Buffer };
        // Mails hold codes and customers' addresses: only the service's user may read them.
        await mkdir(mail.outboxDir, { recursive: true, mode: 0o700 });
        const file = path.join(mail.outboxDir, `${emlName(info.messageId)}.eml`);
        // Written aside, then renamed: whoever watches the folder never opens half a mail.
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, info.message, { mode: 0o600 });
        await rename(tmp, file);
        return { status: 'sent', providerMessageId: info.messageId };
      } catch (err) {
        return { status: 'transient', error: `outbox: ${scrub(err instanceof Error ? err.message : String(err))}` };
      }
    },
    close() {
      transporter.close();
    },
  };
}

/** `<msg_a.b@promo-engine>` → `msg_a.b`: the file name a developer recognises. */
export function emlName(messageId: string): string {
  const local = messageId
    .replace(/^</, '')
    .replace(/>$/, '')
    .replace(/@promo-engine$/, '');
  return local.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200) || 'mail';
}
