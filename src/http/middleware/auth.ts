import type { RequestHandler } from 'express';
import { verifyAppKey } from '../../auth/app-keys';
import type { AppKeyModel } from '../../models/app-key';
import { AppError } from '../errors';

/** Refuses any request without a valid `X-App-Id` + `X-App-Token` pair. */
export function requireAppKey(AppKey: AppKeyModel): RequestHandler {
  return async (req, res, next) => {
    const appId = req.get('x-app-id');
    const appToken = req.get('x-app-token');
    if (!appId || !appToken) {
      throw AppError.unauthorized('Send your application id and secret key in the X-App-Id and X-App-Token headers.');
    }
    if (!(await verifyAppKey(AppKey, appId, appToken))) {
      throw AppError.unauthorized('The X-App-Id / X-App-Token pair is not valid.');
    }
    res.locals.appId = appId;
    next();
  };
}
