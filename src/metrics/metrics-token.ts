import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether a scrape's `Authorization` header may read metrics: always without a token
 * (METRICS_TOKEN unset), else only `Bearer <token>`. Digests of equal length, so the
 * comparison takes as long whatever the caller sent.
 */
export function scrapeAuthorizer(token: string | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const expected = digest(`Bearer ${token}`);
  return (authorization) => timingSafeEqual(digest(authorization ?? ''), expected);
}

/** The refusal's body, the same on the API's `/metrics` and the worker's. */
export const METRICS_TOKEN_REQUIRED = {
  code: 401,
  key: 'metrics_token_required',
  message: 'Send Authorization: Bearer <METRICS_TOKEN>',
} as const;
