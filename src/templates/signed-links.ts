import { createHmac, timingSafeEqual } from 'node:crypto';

/** What building a public link needs: where the service is reachable and the key links are signed with. */
export interface PublicLinks {
  /** e.g. `https://promo.example.com`, no trailing slash needed. */
  publicUrl: string;
  signingKey: string;
  /** How long a cockpit link works, in seconds (COCKPIT_LINK_DAYS); 30 days when not given. */
  cockpitTtlSeconds?: number;
}

export const DEFAULT_COCKPIT_TTL_SECONDS = 30 * 24 * 3600;

export type CodeImage = 'qr' | 'barcode';

/**
 * Public links carry an HMAC of what they name, so they need no credentials yet cannot be
 * forged or enumerated: knowing one code's image URL says nothing about another's. Each
 * purpose signs a different prefix, so a code's signature is no unsubscribe signature.
 */
export function sign(key: string, ...parts: string[]): string {
  return createHmac('sha256', key).update(parts.join('\n')).digest('base64url').slice(0, 32);
}

export function verify(key: string, signature: unknown, ...parts: string[]): boolean {
  if (typeof signature !== 'string' || signature.length !== 32) return false;
  const expected = Buffer.from(sign(key, ...parts));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function base(links: PublicLinks): string {
  return links.publicUrl.replace(/\/+$/, '');
}

/** `GET /public/codes/<code>/qr.png?sig=…` (or `barcode.png`). */
export function codeImageUrl(links: PublicLinks, code: string, kind: CodeImage): string {
  return `${base(links)}/public/codes/${encodeURIComponent(code)}/${kind}.png?sig=${sign(links.signingKey, 'code', code)}`;
}

export function verifyCodeSignature(key: string, code: string, signature: unknown): boolean {
  return verify(key, signature, 'code', code);
}

/** `GET|POST /public/unsubscribe?c=<customer>&ch=<channel>&sig=…`: one click opts the customer out of that channel. */
export function unsubscribeUrl(links: PublicLinks, customerId: string, channel: string): string {
  const query = new URLSearchParams({
    c: customerId,
    ch: channel,
    sig: sign(links.signingKey, 'unsubscribe', customerId, channel),
  });
  return `${base(links)}/public/unsubscribe?${query.toString()}`;
}

export function verifyUnsubscribeSignature(
  key: string,
  customerId: string,
  channel: string,
  signature: unknown,
): boolean {
  return verify(key, signature, 'unsubscribe', customerId, channel);
}

/**
 * `GET /public/cockpit?c=<customer>&exp=<unix seconds>&sig=…`: the customer's own page of codes,
 * balances and points. The expiry is signed with the customer, so a forwarded or leaked link
 * stops working, and no link reaches anyone else's page.
 */
export function cockpitUrl(links: PublicLinks, customerId: string, now: Date = new Date()): string {
  const exp = String(Math.floor(now.getTime() / 1000) + (links.cockpitTtlSeconds ?? DEFAULT_COCKPIT_TTL_SECONDS));
  const query = new URLSearchParams({ c: customerId, exp, sig: sign(links.signingKey, 'cockpit', customerId, exp) });
  return `${base(links)}/public/cockpit?${query.toString()}`;
}

/** A valid signature whose expiry has not passed. */
export function verifyCockpitSignature(
  key: string,
  customerId: string,
  exp: string,
  signature: unknown,
  now: Date = new Date(),
): boolean {
  if (!/^\d{1,12}$/.test(exp) || Number(exp) * 1000 <= now.getTime()) return false;
  return verify(key, signature, 'cockpit', customerId, exp);
}
