import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../logger';
import { DomainError } from '../../errors';
import { AppError, httpStatus, type ErrorBody } from '../errors';

/** Errors body-parser raises, by its `type`, mapped to our keys. */
const BODY_PARSER_ERRORS: Record<string, { key: string; message: string }> = {
  'entity.parse.failed': { key: 'invalid_json', message: 'Malformed JSON' },
  'entity.too.large': { key: 'payload_too_large', message: 'Payload too large' },
  'encoding.unsupported': { key: 'unsupported_encoding', message: 'Unsupported content encoding' },
  'charset.unsupported': { key: 'unsupported_charset', message: 'Unsupported charset' },
};

export const notFoundRoute: RequestHandler = (req) => {
  throw new AppError(404, 'not_found', 'Resource not found', `No route for ${req.method} ${req.path}`);
};

/** Registered last: turns any error into Voucherify's error body; unknown errors are masked. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = String(res.locals.requestId ?? '');
    let body: ErrorBody;
    if (err instanceof DomainError) {
      body = {
        code: httpStatus(err),
        key: err.key,
        message: err.message,
        details: err.details,
        request_id: requestId,
        ...err.extra,
      };
    } else if (typeof err?.type === 'string' && BODY_PARSER_ERRORS[err.type] && typeof err.status === 'number') {
      const known = BODY_PARSER_ERRORS[err.type]!;
      body = {
        code: err.status,
        key: known.key,
        message: known.message,
        details: String(err.message),
        request_id: requestId,
      };
    } else {
      logger.error({ err, requestId, method: req.method, path: req.path }, 'unhandled error');
      body = {
        code: 500,
        key: 'internal_error',
        message: 'Internal server error',
        details: `Quote request id ${requestId} when reporting this.`,
        request_id: requestId,
      };
    }
    res.status(body.code).json(body);
  };
}
