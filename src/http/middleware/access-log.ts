import type { RequestHandler } from 'express';
import { authenticatedKey } from './auth';
import type { Logger } from '../../logger';

/** Path segments after these name a voucher code, which is as good as the voucher itself. */
const CODE_SEGMENT = /\/(vouchers|codes|members)\/([^/]+)/g;

/** Keeps two characters of a long code (none of a short one): enough to tell codes apart in a trace, not to redeem one. */
export function maskCodes(path: string): string {
  return path.replace(
    CODE_SEGMENT,
    (_match, kind: string, code: string) => `/${kind}/${code.length >= 8 ? code.slice(0, 2) : ''}***`,
  );
}

/** Records the matched route's full pattern (mount path included), which Express forgets once an error leaves the router. */
export function routeMatched(pattern: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.route = pattern;
    next();
  };
}

/**
 * One line per request: method, route pattern, path with codes masked, status, the key id
 * (or, refused, the id it claimed) and the client address. Never headers, query or bodies: they may carry secrets.
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    // Read now: by the end of a refused upload the socket may be gone, and with it the address.
    const client = req.ip ?? null;
    res.on('finish', () => {
      const key = authenticatedKey(res);
      const route =
        (res.locals.route as string | undefined) ?? (req.route?.path ? `${req.baseUrl}${req.route.path}` : null);
      logger.info(
        {
          requestId: res.locals.requestId,
          method: req.method,
          route,
          path: maskCodes(req.originalUrl.split('?')[0]!),
          status: res.statusCode,
          keyId: key?.id ?? null,
          ...(!key && res.locals.claimedKeyId ? { claimedKeyId: res.locals.claimedKeyId as string } : {}),
          client,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
    });
    next();
  };
}
