import {
  isOutboundRefusal,
  outboundFailure,
  outboundFetch,
  readAnswer,
  type FormData,
} from '../outbound/outbound-fetch';
import type { OutgoingMessage, SendResult } from './channel';
import { scrubSecrets } from './secrets';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-after';

/** A provider slower than this is treated as down; the send is retried later (and may duplicate: none offers an idempotency key). */
export const PROVIDER_TIMEOUT_MS = 15_000;

/** Statuses that mean "not now" besides every 5xx. */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);

/** A provider's HTTP answer, body read. */
export interface ProviderAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, `undefined` when it is not JSON. */
  json: unknown;
}

/** A request that never got an answer (refused, reset, timed out), described without its URL. */
export interface TransportFailure {
  failure: string;
  /** The outbound guard refused the address or a redirect: retrying cannot help. */
  refused?: true;
}

export interface ProviderRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams | FormData;
  timeoutMs?: number;
}

/** `outboundFetch` with a timeout that turns a network failure or a refusal into a value instead of a throw. */
export async function providerFetch(
  url: string,
  init: ProviderRequestInit = {},
): Promise<ProviderAnswer | TransportFailure> {
  const timeoutMs = init.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  try {
    const response = await outboundFetch(url, {
      method: init.method ?? 'GET',
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readAnswer(response);
    let json: unknown;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: new Headers([...response.headers]), text, json };
  } catch (err) {
    return { failure: outboundFailure(err, timeoutMs), ...(isOutboundRefusal(err) ? { refused: true as const } : {}) };
  }
}

export function isTransportFailure(answer: ProviderAnswer | TransportFailure): answer is TransportFailure {
  return 'failure' in answer;
}

/**
 * `X-RateLimit-Reset` as a wait in ms. Providers mostly send epoch seconds (SendGrid, Braze,
 * Intercom); a small number can only be seconds from now (some gateways send that).
 */
export function parseRateLimitReset(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const n = Number(value);
  const ms = n >= 1_000_000_000 ? n * 1000 - now.getTime() : n * 1000;
  return Math.min(Math.max(0, Math.ceil(ms)), MAX_RETRY_AFTER_MS);
}

/** The wait a provider asked for: `Retry-After` first, else `X-RateLimit-Reset`. */
export function retryAfterFromHeaders(headers: Headers, now: Date = new Date()): number | undefined {
  return parseRetryAfter(headers.get('retry-after'), now) ?? parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
}

/** Whether a status is worth retrying: 408, 425, 429 and every 5xx. */
export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status) || status >= 500;
}

/**
 * A non-success result for an answer: transient (with the provider's wait) for 408/425/429/5xx,
 * permanent for everything else (400/401/403/404/413/422: retrying unchanged cannot help).
 * `detail` is the provider's own reason, already scrubbed of credentials.
 */
export function failureForStatus(
  provider: string,
  status: number,
  headers: Headers,
  detail?: string,
  now: Date = new Date(),
): Exclude<SendResult, { status: 'sent' }> {
  const error = `${provider} answered ${status}${detail ? `: ${truncate(detail)}` : ''}`;
  if (isTransientStatus(status)) {
    const retryAfterMs = retryAfterFromHeaders(headers, now);
    return { status: 'transient', error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { status: 'permanent', error };
}

/** The whole mapping for providers whose 2xx needs no further reading: 2xx sent, else `failureForStatus`. */
export function resultForStatus(
  provider: string,
  status: number,
  headers: Headers,
  providerMessageId?: string,
  detail?: string,
  now: Date = new Date(),
): SendResult {
  if (status >= 200 && status < 300) return { status: 'sent', ...(providerMessageId ? { providerMessageId } : {}) };
  return failureForStatus(provider, status, headers, detail, now);
}

export function transportResult(provider: string, failure: TransportFailure): Exclude<SendResult, { status: 'sent' }> {
  return { status: failure.refused ? 'permanent' : 'transient', error: `${provider}: ${failure.failure}` };
}

/**
 * A non-JSON error body as a reason, only when it is a short line of plain text ("Forbidden"):
 * HTML pages, proxies' bodies and anything long are summarised by the status alone, never quoted.
 */
export function plainReason(answer: ProviderAnswer): string | undefined {
  const text = answer.text.trim();
  if (text === '' || text.length > 200 || /[<>\r\n]/.test(text)) return undefined;
  return text;
}

/** Provider texts are shown to operators: long reasons are cut. */
function truncate(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Replaces every credential (any spelling, and Basic/Bearer values) in a provider's text; providers sometimes echo what they got. */
export function redact(text: string, credentials: Record<string, string>): string {
  return scrubSecrets(text, credentials, '[redacted]');
}

export function redactOptional(text: string | undefined, credentials: Record<string, string>): string | undefined {
  return text === undefined ? undefined : redact(text, credentials);
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * How a deployment reaches a provider. `baseUrl` is the operator's replacement for the
 * provider's origin (PROVIDER_BASE_URLS: a sandbox, a local fake); it never comes from the
 * API, so stored credentials can only go to the provider or where the operator points.
 */
export interface ProviderOptions {
  baseUrl?: string;
  timeoutMs?: number;
}

/** The origin requests go to: the operator's replacement, else the provider's own; no trailing slash. */
export function originOf(options: ProviderOptions, providerOrigin: string): string {
  return (options.baseUrl ?? providerOrigin).replace(/\/+$/, '');
}

/**
 * Account settings never name a URL to send credentials to: a `base_url` there is refused
 * (it once was one, and `PUT /v1/channels/:id` could point stored keys at any host).
 */
export function baseUrlProblems(settings: Record<string, unknown>): string[] {
  return settings.base_url === undefined
    ? []
    : ['base_url is not an account setting: a custom provider URL is operator configuration (PROVIDER_BASE_URLS)'];
}

/** A provider's documented regions (data centres), by the name `settings.region` takes, to their API origin. */
export type Regions = Readonly<Record<string, string>>;

/** A problem with an optional `region` setting, if any. */
export function regionProblems(settings: Record<string, unknown>, regions: Regions): string[] {
  const region = settings.region;
  if (region === undefined || (typeof region === 'string' && Object.hasOwn(regions, region))) return [];
  return [`region must be one of ${Object.keys(regions).join(', ')}`];
}

/** Where the account's requests go: the operator's replacement, else its region's origin (the first when none is set). */
export function regionOrigin(options: ProviderOptions, settings: Record<string, unknown>, regions: Regions): string {
  const region = settings.region;
  const origin =
    typeof region === 'string' && Object.hasOwn(regions, region) ? regions[region] : Object.values(regions)[0];
  return originOf(options, origin ?? '');
}

/** Problems with the credentials an account must have (all non-empty strings). */
export function credentialProblems(credentials: Record<string, string>, names: readonly string[]): string[] {
  return names
    .filter((n) => typeof credentials[n] !== 'string' || credentials[n].trim() === '')
    .map((n) => `credential ${n} is required`);
}

export const NO_ACCOUNT: SendResult = { status: 'permanent', error: 'no channel account' };

/**
 * Messages of a batch that share account, subject and body, as index lists in order. Email
 * providers batch recipients of one content (SendGrid personalizations, Mailgun `to` lists);
 * a personal code makes every body unique, and then each group holds one message.
 */
export function contentGroups(messages: readonly OutgoingMessage[]): number[][] {
  const groups = new Map<string, number[]>();
  messages.forEach((m, i) => {
    const key = JSON.stringify([m.account?.id ?? null, m.subject ?? null, m.html ?? null, m.text ?? null, m.settings]);
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  return [...groups.values()];
}

/** A test-connection verdict from a provider's answer to its cheapest authenticated call. */
export function connectionVerdict(
  provider: string,
  answer: ProviderAnswer | TransportFailure,
  credentials: Record<string, string>,
  detail?: (a: ProviderAnswer) => string | undefined,
): { ok: true } | { ok: false; error: string } {
  if (isTransportFailure(answer)) return { ok: false, error: `${provider}: ${answer.failure}` };
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const reason = detail?.(answer);
  return {
    ok: false,
    error: redact(`${provider} answered ${answer.status}${reason ? `: ${truncate(reason)}` : ''}`, credentials),
  };
}

/** A string field of a parsed JSON object, if it is one. */
export function stringField(value: unknown, key: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export const EMAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** An E.164-ish number from what a customer profile holds (`+44 7700 900123`, `0044…`), or undefined. */
export function normalizePhone(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let digits = raw.trim().replace(/[\s().-]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  if (!digits.startsWith('+')) digits = `+${digits}`;
  return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : undefined;
}
