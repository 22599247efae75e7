import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppKeyModel } from '../models/app-key';

/**
 * Tokens are 256 random bits, so a fast hash is enough: nobody can brute-force the
 * preimage, and a slow KDF would only cost every request time.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface IssuedAppKey {
  appId: string;
  appToken: string;
}

/** Creates a key and returns its token; this is the only time the token is visible. */
export async function createAppKey(AppKey: AppKeyModel, name: string): Promise<IssuedAppKey> {
  const appId = randomBytes(12).toString('hex').replace(/^(.{8})(.{4})(.{4})(.*)$/, '$1-$2-$3-$4');
  const appToken = randomBytes(32).toString('hex');
  await AppKey.create({ _id: appId, name, tokenHash: hashToken(appToken) });
  return { appId, appToken };
}

/**
 * Makes the key from APP_ID / APP_TOKEN valid. The environment is authoritative: when
 * an operator rotates APP_TOKEN, the stored hash follows on the next start.
 */
export async function seedAppKey(AppKey: AppKeyModel, appId: string, appToken: string): Promise<void> {
  await AppKey.updateOne({ _id: appId }, { $set: { tokenHash: hashToken(appToken) }, $setOnInsert: { name: 'seeded from environment' } }, { upsert: true });
}

export async function verifyAppKey(AppKey: AppKeyModel, appId: string, appToken: string): Promise<boolean> {
  const key = await AppKey.findById(appId, { tokenHash: 1 }).lean();
  const presented = Buffer.from(hashToken(appToken), 'hex');
  // Compare even when the id is unknown, so timing does not reveal which app ids exist.
  const stored = Buffer.from(key?.tokenHash ?? hashToken(''), 'hex');
  return timingSafeEqual(presented, stored) && key !== null;
}

export async function revokeAppKey(AppKey: AppKeyModel, appId: string): Promise<boolean> {
  const { deletedCount } = await AppKey.deleteOne({ _id: appId });
  return deletedCount === 1;
}
