import { randomBytes } from 'node:crypto';
import { LIVE_KEY, type AppKeyModel } from '../models/app-key';
import type { SessionModel } from '../models/session';
import { hashToken, verifyAppKey, type AuthenticatedKey } from './app-keys';
import { storedRole } from './roles';

/** The cookie carrying a console session's token. */
export const SESSION_COOKIE = 'promo_session';

/** A working day: long enough for a marketer's session, short enough that a forgotten browser expires. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  key: AuthenticatedKey;
}

/**
 * Exchanges an application key for a session token. The token is as strong as a key's and
 * stored only hashed, like the key's, so the sessions collection cannot be replayed.
 */
export async function createSession(
  models: { AppKey: AppKeyModel; Session: SessionModel },
  appId: string,
  appToken: string,
  now = new Date(),
): Promise<IssuedSession | undefined> {
  const key = await verifyAppKey(models.AppKey, appId, appToken);
  if (!key) return undefined;
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  await models.Session.create({ _id: hashToken(token), appKeyId: appId, expiresAt });
  return { token, expiresAt, key };
}

/** The key behind a session token; none when the session expired, ended or its key was revoked. */
export async function findSession(
  models: { AppKey: AppKeyModel; Session: SessionModel },
  token: string,
  now = new Date(),
): Promise<(AuthenticatedKey & { expiresAt: Date }) | undefined> {
  const session = await models.Session.findById(hashToken(token)).lean();
  if (!session || session.expiresAt.getTime() <= now.getTime()) return undefined;
  // Read the key each time: a revoked key, or a changed role, takes effect on the next request.
  const key = await models.AppKey.findOne({ _id: session.appKeyId, ...LIVE_KEY }, { role: 1 }).lean();
  if (!key) return undefined;
  return { id: session.appKeyId, role: storedRole(key.role), expiresAt: session.expiresAt };
}

export async function endSession(Session: SessionModel, token: string): Promise<void> {
  await Session.deleteOne({ _id: hashToken(token) });
}
