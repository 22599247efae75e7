import type { RequestHandler } from 'express';
import { verifyAppKey } from '../../auth/app-keys';
import type { AppKeyModel } from '../../models/app-key';
import type { SessionModel } from '../../models/session';
import { AppError } from '../errors';
import { sessionAuth } from './session-auth';

/**
 * Refuses any request without a valid `X-App-Id` + `X-App-Token` pair or a console session
 * cookie (which sets `res.locals.appKey = { id, role }`). Headers win when both are sent.
 */
export function requireAppKey(AppKey: AppKeyModel, Session: SessionModel): RequestHandler {
  const fromSession = sessionAuth({ AppKey, Session });
  return async (req, res, next) => {
    const appId = req.get('x-app-id');
    const appToken = req.get('x-app-token');
    if (!appId && !appToken && (await fromSession(req, res))) return next();
    if (!appId || !appToken) {
      throw AppError.unauthorized('Send your application id and secret key in the X-App-Id and X-App-Token headers, or sign in to the console.');
    }
    if (!(await verifyAppKey(AppKey, appId, appToken))) {
      throw AppError.unauthorized('The X-App-Id / X-App-Token pair is not valid.');
    }
    res.locals.appId = appId;
    next();
  };
}
