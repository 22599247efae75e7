import { DomainError, type ErrorKind } from '../errors';

/** The one mapping of domain error kinds to HTTP statuses. */
export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
};

const KIND_OF_STATUS = new Map(Object.entries(HTTP_STATUS).map(([kind, status]) => [status, kind as ErrorKind]));

/** The HTTP status an error answers with: its own for an AppError, its kind's for a domain error. */
export function httpStatus(err: DomainError): number {
  return err instanceof AppError ? err.status : HTTP_STATUS[err.kind];
}

/**
 * An error raised by HTTP code (routers, middleware) with its status given. Domain code throws
 * DomainError (src/errors.ts); both answer with Voucherify's error body, so `@voucherify/sdk`
 * surfaces them as a VoucherifyError with the same code and key.
 */
export class AppError extends DomainError {
  constructor(
    /** HTTP status, also sent as `code`. */
    readonly status: number,
    key: string,
    message: string,
    details?: string,
    extra: Record<string, unknown> = {},
  ) {
    super(KIND_OF_STATUS.get(status) ?? (status >= 500 ? 'internal' : 'invalid'), key, message, details, extra);
    this.name = 'AppError';
  }

  static badRequest(key: string, message: string, details?: string, extra?: Record<string, unknown>): AppError {
    return new AppError(400, key, message, details, extra);
  }

  static override unauthorized(details: string): AppError {
    return new AppError(401, 'unauthorized', 'Unauthorized', details);
  }

  static override notFound(resourceType: string, resourceId: string): AppError {
    return new AppError(404, 'not_found', 'Resource not found', `Cannot find ${resourceType} with id ${resourceId}`, {
      resource_id: resourceId,
      resource_type: resourceType,
    });
  }

  static override conflict(key: string, message: string, details?: string): AppError {
    return new AppError(409, key, message, details);
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  code: number;
  key: string;
  message: string;
  details?: string;
  request_id: string;
  [extra: string]: unknown;
}
