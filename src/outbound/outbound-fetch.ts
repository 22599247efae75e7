import type { IncomingHttpHeaders } from 'node:http';
import { Agent, buildConnector, FormData, fetch as undiciFetch, type RequestInit, type Response } from 'undici';
import { OUTBOUND_REFUSED, OutboundRefusedError, literalRefusal } from './address-policy';
import { guardedLookup } from './guarded-lookup';

/** Ceilings under every caller's own timeout: a peer that accepts and then stalls never holds a slot for long. */
const CONNECT_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 30_000;
const BODY_TIMEOUT_MS = 30_000;

const connect = buildConnector({ timeout: CONNECT_TIMEOUT_MS, lookup: guardedLookup });

/**
 * The one way server-side HTTP requests leave this process (webhooks, provider APIs). Names
 * are checked by the address actually connected to (`guardedLookup`); literals, which `net`
 * connects to without a lookup, before connecting.
 */
const dispatcher = new Agent({
  headersTimeout: HEADERS_TIMEOUT_MS,
  bodyTimeout: BODY_TIMEOUT_MS,
  connect: (options, callback) => {
    const refusal = literalRefusal(options.hostname);
    if (refusal) return callback(new OutboundRefusedError(refusal), null);
    connect(options, callback);
  },
});

/** The `FormData` `outboundFetch` sends as multipart (undici's own: it does not take another realm's). */
export { FormData };

export type OutboundInit = Omit<RequestInit, 'dispatcher' | 'redirect'>;

/**
 * `fetch` through the guard. Redirects are refused, not followed: a followed redirect would
 * carry the request (and its credentials) to a host nobody chose. Throws like `fetch`, the
 * refusal as `TypeError` whose `cause` is an `OutboundRefusedError`.
 */
export async function outboundFetch(url: string, init: OutboundInit = {}): Promise<Response> {
  const response = await undiciFetch(url, { ...init, redirect: 'manual', dispatcher });
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    throw new TypeError('fetch failed', { cause: new OutboundRefusedError(`redirect refused (${response.status})`) });
  }
  return response;
}

/** A plain request's answer: status, headers and the body as text (at most MAX_ANSWER_BYTES). */
export interface OutboundAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * A POST-and-read through the same guard and connection pool as `outboundFetch`, on undici's
 * `request` instead of `fetch`: no WHATWG Request, Headers, stream or AbortSignal per call,
 * which made fetch most of a webhook send's CPU. For senders on the hot path (one call per
 * message); `timeoutMs` bounds the wait for the answer's headers and each gap in its body.
 * Redirects are not followed (`request` never does); a 3xx is refused as by `outboundFetch`.
 * Throws like `outboundFetch`: a `TypeError` whose `cause` is the failure, so `isOutboundRefusal`
 * and `outboundFailure` read both alike.
 */
export async function outboundRequest(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<OutboundAnswer> {
  try {
    const answer = await dispatcher.request({
      origin: new URL(url).origin,
      path: pathOf(url),
      method: init.method as 'POST',
      headers: init.headers,
      body: init.body,
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
    });
    if (answer.statusCode >= 300 && answer.statusCode < 400) {
      await answer.body.dump().catch(() => undefined);
      throw new OutboundRefusedError(`redirect refused (${answer.statusCode})`);
    }
    let text = '';
    let size = 0;
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      // Leaving the loop destroys the body, dropping the connection.
      if (size > MAX_ANSWER_BYTES) break;
      text += chunk.toString('utf8');
    }
    return { status: answer.statusCode, statusText: answer.statusText, headers: answer.headers, text };
  } catch (err) {
    throw new TypeError('fetch failed', { cause: err });
  }
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** Most of an answer's body read: providers answer kilobytes; a peer streaming more is cut off. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** An answer's body as text, at most MAX_ANSWER_BYTES of it (the connection is dropped past that). */
export async function readAnswer(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Whether a failed `outboundFetch` was the guard's refusal: permanent, as retrying the same target cannot pass. */
export function isOutboundRefusal(err: unknown): boolean {
  return (err as { cause?: { code?: unknown } } | null)?.cause?.code === OUTBOUND_REFUSED;
}

/**
 * The cause of a failed outbound request, without the URL (a query may carry a key).
 * Duck-typed: fetch's errors may come from another realm, where `instanceof Error` fails.
 */
export function outboundFailure(err: unknown, timeoutMs: number): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: string;
    cause?: { code?: string; message?: string };
  };
  if (
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    e.cause?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.cause?.code === 'UND_ERR_BODY_TIMEOUT'
  )
    return `no answer within ${timeoutMs} ms`;
  if (e.cause?.code === OUTBOUND_REFUSED) return `refused: ${e.cause.message ?? 'address not allowed'}`;
  if (e.cause?.code) return `connection failed (${e.cause.code})`;
  return 'connection failed';
}
