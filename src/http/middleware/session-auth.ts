import type { Request, Response } from 'express';
import { parse } from 'cookie';
import { findSession, SESSION_COOKIE } from '../../auth/sessions';
import type { AppKeyModel } from '../../models/app-key';
import type { SessionModel } from '../../models/session';
import { AppError } from '../errors';

/** Methods that change nothing, so a forged cross-site request gains nothing by them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The header a state-changing cookie request must carry; the console's fetch sends it. */
export const CSRF_HEADER = 'x-requested-with';

export function sessionToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  return header ? parse(header)[SESSION_COOKIE] : undefined;
}

/**
 * Authenticates by the console's session cookie. A browser attaches cookies to requests other
 * sites make; SameSite=Strict stops most, and a custom header (which another origin cannot set
 * without a CORS preflight this API never grants) stops the rest.
 * `csrfHeader: false` is for routes whose POSTs change nothing (the payload codec), which a
 * browser tool such as the Temporal Web UI calls with credentials but without our header.
 * Resolves false when there is no session cookie at all, so the caller asks for the key headers.
 */
export function sessionAuth(
  models: { AppKey: AppKeyModel; Session: SessionModel },
  { csrfHeader = true }: { csrfHeader?: boolean } = {},
) {
  return async (req: Request, res: Response): Promise<boolean> => {
    const token = sessionToken(req);
    if (!token) return false;
    const session = await findSession(models, token);
    if (!session) throw AppError.unauthorized('Your console session has expired or was ended: sign in again.');
    if (csrfHeader && !SAFE_METHODS.has(req.method) && !req.get(CSRF_HEADER)) {
      throw new AppError(
        403,
        'csrf_header_missing',
        'Forbidden',
        `A request authenticated by the session cookie that changes data must send the ${CSRF_HEADER} header.`,
      );
    }
    res.locals.appKey = { id: session.id, role: session.role };
    res.locals.session = { token, expiresAt: session.expiresAt };
    return true;
  };
}
