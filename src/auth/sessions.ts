import { randomBytes } from 'node:crypto';
import type { AppKeyModel } from '../models/app-key';
import type { SessionModel } from '../models/session';
import { hashToken, verifyAppKey } from './app-keys';

/** The cookie carrying a console session's token. */
export const SESSION_COOKIE = 'promo_session';

/** A working day: long enough for a marketer's session, short enough that a forgotten browser expires. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

/** What a request authenticated as: the key and the role it was given (issue 19's scoped keys). */
export interface AppKeyIdentity {
  id: string;
  role: string;
}

export interface IssuedSession {
  token: string;
  expiresAt: Date;
  key: AppKeyIdentity;
}

/** Keys made before roles existed have none: they keep the full access they always had. */
export function roleOf(key: { role?: unknown }): string {
  return typeof key.role === 'string' && key.role ? key.role : 'admin';
}

/**
 * Exchanges an application key for a session token. The token is as strong as a key's and
 * stored only hashed, like the key's, so the sessions collection cannot be replayed.
 */
export async function createSession(models: { AppKey: AppKeyModel; Session: SessionModel }, appId: string, appToken: string, now = new Date()): Promise<IssuedSession | undefined> {
  if (!(await verifyAppKey(models.AppKey, appId, appToken))) return undefined;
  const key = await models.AppKey.findById(appId).lean<{ _id: string; role?: unknown }>();
  if (!key) return undefined;
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_SECONDS * 1000);
  await models.Session.create({ _id: hashToken(token), appKeyId: appId, expiresAt });
  return { token, expiresAt, key: { id: appId, role: roleOf(key) } };
}

/** The key behind a session token; none when the session expired, ended or its key was revoked. */
export async function findSession(models: { AppKey: AppKeyModel; Session: SessionModel }, token: string, now = new Date()): Promise<(AppKeyIdentity & { expiresAt: Date }) | undefined> {
  const session = await models.Session.findById(hashToken(token)).lean();
  if (!session || session.expiresAt.getTime() <= now.getTime()) return undefined;
  // Read the key each time: a revoked key, or a changed role, takes effect on the next request.
  const key = await models.AppKey.findById(session.appKeyId).lean<{ _id: string; role?: unknown }>();
  if (!key) return undefined;
  return { id: key._id, role: roleOf(key), expiresAt: session.expiresAt };
}

export async function endSession(Session: SessionModel, token: string): Promise<void> {
  await Session.deleteOne({ _id: hashToken(token) });
}
