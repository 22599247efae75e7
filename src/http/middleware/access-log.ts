import type { RequestHandler } from 'express';
import type { Logger } from '../../logger';

/** One line per request. Only method, path and status: headers and bodies may carry secrets. */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      logger.info(
        { requestId: res.locals.requestId, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'request',
      );
    });
    next();
  };
}
