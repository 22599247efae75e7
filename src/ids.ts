import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A Voucherify-style id, e.g. `cust_1g0Xz…`: a type prefix and 24 random base62
 * characters (~143 bits), so ids can be made anywhere without coordination.
 */
export function newId(prefix: string): string {
  const bytes = randomBytes(24);
  let id = '';
  // 256 is not a multiple of 62; the slight bias toward the first 8 characters costs ~0.3 bits.
  for (const byte of bytes) id += ALPHABET[byte % 62];
  return `${prefix}_${id}`;
}
