import type { z } from 'zod';

/**
 * The kinds of failure the domain reports. The API maps each to an HTTP status in one place
 * (src/http/errors.ts); activities carry them through Temporal with src/temporal/error-failure.ts.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal';

/** One failing field of an input, e.g. `{ field: 'address.city', reason: 'expected string, received number' }`. */
export interface FieldError {
  field: string;
  reason: string;
}

/** What services throw. Its fields become Voucherify's error body: `key`, `message`, `details` and `extra` as they are. */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Machine-readable, e.g. `not_found`, `invalid_payload`. */
    readonly key: string,
    message: string,
    /** A longer, human hint: which field and why. */
    readonly details?: string,
    /** Extra body fields, e.g. `resource_id`, `resource_type`, per-field `errors`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static invalid(key: string, message: string, details?: string, extra?: Record<string, unknown>): DomainError {
    return new DomainError('invalid', key, message, details, extra);
  }

  /** Invalid, naming each failing field in `details` and in `errors`. */
  static invalidFields(key: string, message: string, problems: FieldError[]): DomainError {
    return new DomainError('invalid', key, message, problems.map((p) => `${p.field}: ${p.reason}`).join('; '), {
      errors: problems,
    });
  }

  static unauthorized(details: string): DomainError {
    return new DomainError('unauthorized', 'unauthorized', 'Unauthorized', details);
  }

  static notFound(resourceType: string, resourceId: string): DomainError {
    return new DomainError(
      'not_found',
      'not_found',
      'Resource not found',
      `Cannot find ${resourceType} with id ${resourceId}`,
      {
        resource_id: resourceId,
        resource_type: resourceType,
      },
    );
  }

  static conflict(key: string, message: string, details?: string): DomainError {
    return new DomainError('conflict', key, message, details);
  }
}

export function isDomainError(err: unknown, kind?: ErrorKind): err is DomainError {
  return err instanceof DomainError && (kind === undefined || err.kind === kind);
}

/** Names each failing field, e.g. `address.city: expected string, received number`. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const base = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    const field = keys.length === 1 ? [base, keys[0]].filter(Boolean).join('.') : base || '(root)';
    return { field, reason: issue.message };
  });
}
