import { createHmac } from 'node:crypto';
import type { CustomerDoc } from '../models/customer';
import { literalRefusal } from '../outbound/address-policy';
import { isOutboundRefusal, outboundFailure, outboundRequest, type OutboundAnswer } from '../outbound/outbound-fetch';
import type { AccountSpec, Channel, OutgoingMessage, SendResult } from './channel';
import { parseRetryAfter } from './retry-after';

/** A receiver slower than this is treated as down; the message is retried later. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Statuses a receiver uses for "not now": retried, after `Retry-After` when given. */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`: what receivers recompute to trust a request. */
export function webhookSignature(secret: string, timestamp: string, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** The JSON body a webhook receives for one message. */
export function webhookBody(message: OutgoingMessage, now: Date): Record<string, unknown> {
  const c = message.customer;
  return {
    id: message.id,
    type: 'distribution.message',
    created_at: now.toISOString(),
    customer: {
      id: c._id,
      source_id: c.source_id ?? null,
      name: c.name ?? null,
      email: c.email ?? null,
      phone: c.phone ?? null,
      metadata: c.metadata ?? {},
    },
    subject: message.subject ?? null,
    text: message.text ?? null,
    html: message.html ?? null,
    variables: message.variables,
  };
}

/**
 * Signed JSON POSTs to a distribution's URL. The message id is the `Idempotency-Key`, so a
 * receiver can drop the duplicates an at-least-once retry may produce.
 */
export class WebhookChannel implements Channel {
  readonly type = 'webhook';
  readonly unsubscribeKey = 'webhook';
  /**
   * A receiver may get a secret of its own: a `webhook` channel account (stored encrypted like
   * any credential) named by the distribution's `channel_id`. Without one, WEBHOOK_SIGNING_SECRET signs.
   */
  readonly account: AccountSpec = {
    credentials: ['signing_secret'],
    optional: true,
    validate: ({ credentials }) =>
      (credentials.signing_secret ?? '').length < 32
        ? ['credentials.signing_secret must have at least 32 characters']
        : [],
  };

  constructor(
    private readonly secret: string,
    private readonly timeoutMs = WEBHOOK_TIMEOUT_MS,
    /** While WEBHOOK_SIGNING_SECRET is rotated: receivers still holding the old secret check `X-Promo-Signature-Previous`. */
    private readonly previousSecret?: string,
  ) {}

  recipient(_customer: CustomerDoc, settings: Record<string, unknown>): { to: string } | { skip: string } {
    // Webhooks need no contact of the customer: the receiver gets the whole profile.
    return typeof settings.url === 'string' ? { to: settings.url } : { skip: 'missing_url' };
  }

  validateSettings(settings: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const url = settings.url;
    if (typeof url !== 'string' || url === '') return [...problems, 'url is required'];
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return [...problems, 'url must be an http or https URL'];
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push('url must be an http or https URL');
    if (parsed.username || parsed.password) problems.push('url must not carry credentials');
    // Names are checked when connecting (they may resolve differently then); literals can be refused now.
    const refusal = literalRefusal(parsed.hostname);
    if (refusal) problems.push(`url is not reachable from this server: ${refusal}`);
    return problems;
  }

  /** The channel account's own secret when it has one (rotated by editing the account), else the deployment's current and previous ones. */
  private signatures(message: OutgoingMessage, timestamp: string, raw: string): Record<string, string> {
    const own = message.account?.credentials.signing_secret;
    if (own) return { 'X-Promo-Signature': webhookSignature(own, timestamp, raw) };
    return {
      'X-Promo-Signature': webhookSignature(this.secret, timestamp, raw),
      ...(this.previousSecret
        ? { 'X-Promo-Signature-Previous': webhookSignature(this.previousSecret, timestamp, raw) }
        : {}),
    };
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    const url = typeof message.settings.url === 'string' ? message.settings.url : message.to;
    const now = new Date();
    const raw = JSON.stringify(webhookBody(message, now));
    const timestamp = String(Math.floor(now.getTime() / 1000));
    let response: OutboundAnswer;
    try {
      response = await outboundRequest(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Idempotency-Key': message.id,
          'X-Promo-Timestamp': timestamp,
          ...this.signatures(message, timestamp, raw),
        },
        body: raw,
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      return {
        status: isOutboundRefusal(err) ? 'permanent' : 'transient',
        error: `webhook: ${outboundFailure(err, this.timeoutMs)}`,
      };
    }
    const status = response.status;
    const requestId = response.headers['x-request-id'];
    if (status >= 200 && status < 300)
      return { status: 'sent', providerMessageId: (Array.isArray(requestId) ? requestId[0] : requestId) ?? message.id };
    const error = `webhook answered ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
    if (status === 410) return { status: 'permanent', error: `${error} (endpoint gone)` };
    if (TRANSIENT_STATUSES.has(status) || status >= 500) {
      const retryAfter = response.headers['retry-after'];
      const retryAfterMs = parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, new Date());
      return { status: 'transient', error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    return { status: 'permanent', error };
  }
}
