import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { DistributionSettings } from '../../src/distributions/settings';

/** One mail the fake server accepted, parsed. */
export interface ReceivedMail {
  /** Envelope recipients (`RCPT TO`), lower-cased as sent. */
  to: string[];
  /** Envelope sender (`MAIL FROM`). */
  from: string;
  subject: string;
  html: string;
  text: string;
  /** The `Message-ID` header, with its angle brackets, e.g. `<msg_…@promo-engine>`. */
  messageId: string;
  /** Every header, lower-cased names; structured ones as mailparser renders their text. */
  headers: Record<string, string>;
  raw: string;
}

export interface FakeSmtp {
  /** `smtp://127.0.0.1:<port>`, what `settings.mail.smtpUrl` takes. */
  url: string;
  port: number;
  /** Accepted mails, in the order they arrived. */
  messages: ReceivedMail[];
  /** SMTP connections opened so far (to check that nothing connects before the first send). */
  connections(): number;
  /** Resolves once at least `n` mails have been accepted (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /**
   * Answers the next `count` transactions with `code` (451 transient, 550 permanent, …)
   * at `RCPT TO` (default) or after `DATA`.
   */
  failNext(code: number, count?: number, stage?: 'rcpt' | 'data'): void;
  close(): Promise<void>;
}

class SmtpReplyError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

/**
 * A real SMTP server on a free local port (no auth, no TLS) that keeps every mail it
 * accepts, for tests of the email channel and of anything that sends mail.
 */
export async function startFakeSmtp(): Promise<FakeSmtp> {
  const messages: ReceivedMail[] = [];
  const failures: Array<{ code: number; stage: 'rcpt' | 'data' }> = [];
  const waiters = new Set<() => void>();
  let connectionCount = 0;
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };

  const takeFailure = (stage: 'rcpt' | 'data'): SmtpReplyError | undefined => {
    const next = failures[0];
    if (!next || next.stage !== stage) return undefined;
    failures.shift();
    const text = next.code >= 500 ? '5.1.1 Mailbox unavailable (fake)' : '4.7.1 Try again later (fake)';
    return new SmtpReplyError(text, next.code);
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Pooled clients keep connections open; do not let close() wait the default 30 s for them.
    closeTimeout: 200,
    size: 10 * 1024 * 1024,
    onConnect(_session, callback) {
      connectionCount++;
      callback();
    },
    onRcptTo(_address, _session, callback) {
      callback(takeFailure('rcpt') ?? null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const failure = takeFailure('data');
        if (failure) return callback(failure);
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            const headers: Record<string, string> = {};
            for (const line of parsed.headerLines)
              headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
            messages.push({
              to: session.envelope.rcptTo.map((a) => a.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              text: parsed.text ?? '',
              messageId: parsed.messageId ?? '',
              headers,
              raw,
            });
            notify();
            callback();
          })
          .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
      });
    },
  });
  // A client that drops the connection mid-test is not a test failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    // No STARTTLS here, so senders are told not to insist on it (they do by default: SMTP_REQUIRE_TLS).
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    port,
    messages,
    connections: () => connectionCount,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (messages.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(messages.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake SMTP: expected ${n} mails, got ${messages.length} in ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    failNext(code, count = 1, stage = 'rcpt') {
      for (let i = 0; i < count; i++) failures.push({ code, stage });
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A fake SMTP server for the whole suite, and the distribution settings that send through it:
 * pass `settings` to the harness (filled before the harness starts), read mail from `server()`.
 */
export function useFakeSmtp(): { settings: Partial<DistributionSettings>; server: () => FakeSmtp } {
  let smtp: FakeSmtp | undefined;
  const settings: Partial<DistributionSettings> = {};
  beforeAll(async () => {
    smtp = await startFakeSmtp();
    settings.mail = { smtpUrl: smtp.url, from: 'promo@example.com', outboxDir: os.tmpdir() };
  });
  afterAll(async () => {
    await smtp?.close();
  });
  return { settings, server: () => smtp! };
}
