import type { RequestHandler, Response } from 'express';
import { verifyAppKey, type AuthenticatedKey } from '../../auth/app-keys';
import type { FailedAuthThrottle } from '../../auth/failed-auth-throttle';
import { roleAllows, type Role } from '../../auth/roles';
import type { AppKeyModel } from '../../models/app-key';
import type { SessionModel } from '../../models/session';
import { AppError } from '../errors';
import { sessionAuth } from './session-auth';

/** The key a request authenticated with; set by `requireAppKey` (or another sign-in that maps to a key). */
export function authenticatedKey(res: Response): AuthenticatedKey | undefined {
  return res.locals.appKey as AuthenticatedKey | undefined;
}

/**
 * Refuses any request without a valid `X-App-Id` + `X-App-Token` pair or a console session
 * cookie (headers win when both are sent), and wrong pairs beyond the throttle's limit with
 * 429 before they are checked. Sets `res.locals.appKey` ({id, role})
 * for the routes' `authorize` checks and the access log.
 */
export function requireAppKey(
  AppKey: AppKeyModel,
  Session: SessionModel,
  throttle: FailedAuthThrottle,
  options: { csrfHeader?: boolean } = {},
): RequestHandler {
  const fromSession = sessionAuth({ AppKey, Session }, options);
  return async (req, res, next) => {
    if (authenticatedKey(res)) return next();
    const appId = req.get('x-app-id');
    const appToken = req.get('x-app-token');
    if (!appId && !appToken && (await fromSession(req, res))) return next();
    if (!appId || !appToken) {
      throw AppError.unauthorized(
        'Send your application id and secret key in the X-App-Id and X-App-Token headers, or sign in to the console.',
      );
    }
    // Ids are not secret: the access log names the one a refused request claimed, for whoever traces a lock-out.
    res.locals.claimedKeyId = appId.slice(0, 64);
    const address = req.ip ?? 'unknown';
    await refuseThrottled(throttle, res, address, appId);
    const key = await verifyAppKey(AppKey, appId, appToken);
    if (!key) {
      await throttle.failed(address, appId);
      throw AppError.unauthorized('The X-App-Id / X-App-Token pair is not valid.');
    }
    res.locals.appKey = key;
    next();
  };
}

/** A 429 with Retry-After while this address or key id is over its failed-authentication limit. */
export async function refuseThrottled(
  throttle: FailedAuthThrottle,
  res: Response,
  address: string,
  appId: string,
): Promise<void> {
  const waitMs = await throttle.retryAfterMs(address, appId);
  if (waitMs === 0) return;
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  res.set('Retry-After', String(seconds));
  throw new AppError(
    429,
    'too_many_failed_authentications',
    'Too many failed authentications',
    `Try again in ${seconds} s.`,
  );
}

/** Lets the request on only when its key's role includes `role` (src/auth/roles.ts). */
export function authorize(role: Role): RequestHandler {
  return (_req, res, next) => {
    const key = authenticatedKey(res);
    if (!key)
      throw AppError.unauthorized('Send your application id and secret key in the X-App-Id and X-App-Token headers.');
    if (!roleAllows(key.role, role)) {
      throw new AppError(
        403,
        'forbidden',
        'Forbidden',
        `This needs a key with the ${role} role; key ${key.id} has the ${key.role} role.`,
      );
    }
    next();
  };
}
