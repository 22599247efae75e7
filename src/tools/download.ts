import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MissingToolError } from './install';

/**
 * How long a download host gets to answer before we take the next way to get a server.
 * Machines without internet (only package registries reachable) either fail DNS at once or
 * drop packets, where a plain request would hang for minutes: this bounds the second case.
 */
export const DOWNLOAD_CONNECT_TIMEOUT_MS = 5_000;

/** A download that could not be made: the caller moves on to the next way, with this one line in its log. */
export class DownloadUnavailableError extends MissingToolError {}

function reason(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  const known: Record<string, string> = {
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found',
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENETUNREACH: 'network unreachable',
  };
  return (code && known[code]) ?? code ?? e.cause?.message ?? e.message;
}

/** GET whose headers must arrive within `timeoutMs`; any failure becomes a DownloadUnavailableError naming the host. */
export async function fetchOrUnavailable(
  url: string,
  what: string,
  timeoutMs = DOWNLOAD_CONNECT_TIMEOUT_MS,
  method = 'GET',
): Promise<Response> {
  const response = await boundedFetch(url, what, timeoutMs, { method, redirect: 'follow' });
  if (!response.ok) {
    await response.body?.cancel();
    throw unavailable(url, what, `HTTP ${response.status}`);
  }
  return response;
}

/** Streams a response body to a file; a stalled body aborts after `idleMs` without a byte. */
export async function saveBody(response: Response, file: string, what: string, idleMs = 60_000): Promise<void> {
  if (!response.body) throw new DownloadUnavailableError(`could not download ${what}: empty response.`);
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  let timer = setTimeout(() => body.destroy(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  body.on('data', () => {
    clearTimeout(timer);
    timer = setTimeout(() => body.destroy(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
  });
  try {
    await pipeline(body, fs.createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    throw new DownloadUnavailableError(`could not download ${what}: ${(err as Error).message}.`);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a host answers HTTP at all (any status) within `timeoutMs`, before handing the download to a library without such a bound. */
export async function probeHost(url: string, what: string, timeoutMs = DOWNLOAD_CONNECT_TIMEOUT_MS): Promise<void> {
  const response = await boundedFetch(new URL(url).origin, what, timeoutMs, { method: 'HEAD', redirect: 'manual' });
  await response.body?.cancel();
}

/**
 * A request whose headers must arrive within `timeoutMs`. The bound ends with the headers
 * (not `AbortSignal.timeout`, which would also cut a long body off mid-download).
 */
async function boundedFetch(url: string, what: string, timeoutMs: number, init: RequestInit): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), timeoutMs);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } catch (err) {
    throw unavailable(url, what, reason(err, timeoutMs));
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(url: string, what: string, why: string): DownloadUnavailableError {
  return new DownloadUnavailableError(`could not download ${what} from ${new URL(url).host} (${why}).`);
}
