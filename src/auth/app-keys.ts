import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { withLock } from '../db/lock';
import { LIVE_KEY, type AppKeyModel } from '../models/app-key';
import type { LockModel } from '../models/lock';
import { ADMIN_ROLE_FILTER, storedRole, type Role } from './roles';

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

/** Who a request authenticated as: what routes check roles against (`res.locals.appKey`). */
export interface AuthenticatedKey {
  id: string;
  role: Role;
}

/** Creates a key and returns its token; this is the only time the token is visible. */
export async function createAppKey(AppKey: AppKeyModel, name: string, role: Role): Promise<IssuedAppKey> {
  const appId = randomBytes(12)
    .toString('hex')
    .replace(/^(.{8})(.{4})(.{4})(.*)$/, '$1-$2-$3-$4');
  const appToken = randomBytes(32).toString('hex');
  await AppKey.create({ _id: appId, name, role, tokenHash: hashToken(appToken) });
  return { appId, appToken };
}

/**
 * Makes the key from APP_ID / APP_TOKEN a valid admin key. The environment is authoritative
 * for the token (rotating APP_TOKEN moves the stored hash on the next start), but not over a
 * revocation: a revoked id stays revoked, or revoking a leaked env key would last until the
 * next restart only. Answers whether the key is usable.
 */
export async function seedAppKey(AppKey: AppKeyModel, appId: string, appToken: string): Promise<'seeded' | 'revoked'> {
  try {
    await AppKey.updateOne(
      { _id: appId, ...LIVE_KEY },
      { $set: { tokenHash: hashToken(appToken), role: 'admin' }, $setOnInsert: { name: 'seeded from environment' } },
      { upsert: true },
    );
    return 'seeded';
  } catch (err) {
    // The filter skips the tombstone, so the upsert collides with it on _id.
    if (onlyDuplicateKeys(err)) return 'revoked';
    throw err;
  }
}

export async function verifyAppKey(
  AppKey: AppKeyModel,
  appId: string,
  appToken: string,
): Promise<AuthenticatedKey | undefined> {
  const key = await AppKey.findOne({ _id: appId, ...LIVE_KEY }, { tokenHash: 1, role: 1 }).lean();
  const presented = Buffer.from(hashToken(appToken), 'hex');
  // Compare even when the id is unknown, so timing does not reveal which app ids exist.
  const stored = Buffer.from(key?.tokenHash ?? hashToken(''), 'hex');
  return timingSafeEqual(presented, stored) && key ? { id: appId, role: storedRole(key.role) } : undefined;
}

export type RevokeOutcome = 'revoked' | 'not_found' | 'last_admin';

/**
 * Revokes a key unless it is the last live admin key, which would lock every operator out.
 * The check and the write run under one lock: two revocations racing for the last two admin
 * keys would otherwise both see the other one still there.
 */
export async function revokeAppKey(
  models: { AppKey: AppKeyModel; Lock: LockModel },
  appId: string,
): Promise<RevokeOutcome> {
  const { AppKey, Lock } = models;
  return withLock(Lock, 'app-key-revocation', async () => {
    const key = await AppKey.findOne({ _id: appId, ...LIVE_KEY }, { role: 1 }).lean();
    if (!key) return 'not_found';
    if (storedRole(key.role) === 'admin') {
      const otherAdmin = await AppKey.exists({ ...LIVE_KEY, _id: { $ne: appId }, ...ADMIN_ROLE_FILTER });
      if (!otherAdmin) return 'last_admin';
    }
    const { modifiedCount } = await AppKey.updateOne({ _id: appId, ...LIVE_KEY }, { $set: { revokedAt: new Date() } });
    return modifiedCount === 1 ? 'revoked' : 'not_found';
  });
}
