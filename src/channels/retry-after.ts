/** A provider may ask for a long pause; past an hour the retry policy's own backoff knows better. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * The wait a `Retry-After` header asks for (RFC 9110 §10.2.3: delay-seconds or an
 * HTTP-date), in ms, capped at an hour; `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    // Only dates that name a weekday or month parse here; a bare "-5" or "1.5" is garbage, not a date.
    if (!/[a-z]{3}/i.test(trimmed)) return undefined;
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now.getTime());
  }
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
