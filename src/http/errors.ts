/**
 * The one error type routes and services throw. Its fields are Voucherify's error body,
 * so `@voucherify/sdk` surfaces them as a VoucherifyError with the same code and key.
 */
export class AppError extends Error {
  constructor(
    /** HTTP status, also sent as `code`. */
    readonly status: number,
    /** Machine-readable kind, e.g. `not_found`, `invalid_payload`. */
    readonly key: string,
    message: string,
    /** A longer, human hint: which field and why. */
    readonly details?: string,
    /** Extra body fields, e.g. `resource_id`, `resource_type`, per-field `errors`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(key: string, message: string, details?: string, extra?: Record<string, unknown>): AppError {
    return new AppError(400, key, message, details, extra);
  }

  static unauthorized(details: string): AppError {
    return new AppError(401, 'unauthorized', 'Unauthorized', details);
  }

  static notFound(resourceType: string, resourceId: string): AppError {
    return new AppError(404, 'not_found', 'Resource not found', `Cannot find ${resourceType} with id ${resourceId}`, {
      resource_id: resourceId,
      resource_type: resourceType,
    });
  }

  static conflict(key: string, message: string, details?: string): AppError {
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
