import { ApplicationFailure } from '@temporalio/common';
import { DomainError, type ErrorKind } from '../errors';

/**
 * The failure type a domain error travels under. Still `AppError`: the distribution workflow's
 * edit activity lists it in `nonRetryableErrorTypes`, and a renamed type would be retried.
 */
export const DOMAIN_ERROR_FAILURE_TYPE = 'AppError';

interface DomainErrorPayload {
  kind: ErrorKind;
  key: string;
  message: string;
  details?: string;
  extra: Record<string, unknown>;
}

/**
 * For activities: a domain error becomes a non-retryable failure carrying it whole (retrying an
 * invalid input cannot help), so the caller turns it back into the same error. Anything else
 * is returned unchanged, to be rethrown and retried.
 */
export function domainErrorToFailure(err: unknown): unknown {
  if (!(err instanceof DomainError)) return err;
  const payload: DomainErrorPayload = {
    kind: err.kind,
    key: err.key,
    message: err.message,
    ...(err.details !== undefined ? { details: err.details } : {}),
    extra: err.extra,
  };
  return ApplicationFailure.create({
    message: err.message,
    type: DOMAIN_ERROR_FAILURE_TYPE,
    nonRetryable: true,
    details: [payload],
  });
}

/** The domain error an activity put into a failure somewhere along this error's causes, if any. */
export function domainErrorFromFailure(err: unknown): DomainError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if (e instanceof ApplicationFailure && e.type === DOMAIN_ERROR_FAILURE_TYPE) {
      const p = e.details?.[0] as Partial<DomainErrorPayload> | undefined;
      if (p && typeof p.kind === 'string' && typeof p.key === 'string')
        return new DomainError(p.kind, p.key, p.message ?? e.message, p.details, p.extra ?? {});
    }
  }
  return undefined;
}
