import { ApplicationFailure } from '@temporalio/common';
import { DomainError, isDomainError } from '../../src/errors';
import { AppError, HTTP_STATUS, httpStatus } from '../../src/http/errors';
import {
  DOMAIN_ERROR_FAILURE_TYPE,
  domainErrorFromFailure,
  domainErrorToFailure,
} from '../../src/temporal/error-failure';

describe('domain errors', () => {
  it('map to the HTTP statuses the API answered with before the domain errors existed', () => {
    expect(httpStatus(DomainError.invalid('invalid_payload', 'Invalid'))).toBe(400);
    expect(httpStatus(DomainError.unauthorized('no key'))).toBe(401);
    expect(httpStatus(new DomainError('forbidden', 'forbidden', 'Forbidden'))).toBe(403);
    expect(httpStatus(DomainError.notFound('voucher', 'v1'))).toBe(404);
    expect(httpStatus(DomainError.conflict('duplicate', 'Duplicate'))).toBe(409);
    expect(httpStatus(new DomainError('too_large', 'payload_too_large', 'Payload too large'))).toBe(413);
    expect(httpStatus(new DomainError('unsupported_media_type', 'unsupported_media_type', 'Unsupported'))).toBe(415);
    expect(httpStatus(new DomainError('rate_limited', 'too_many_requests', 'Slow down'))).toBe(429);
    expect(httpStatus(new DomainError('internal', 'broken', 'Broken'))).toBe(500);
  });

  it('an AppError keeps the status it was given and has the kind of that status', () => {
    const err = new AppError(415, 'unsupported_media_type', 'Unsupported media type');
    expect(httpStatus(err)).toBe(415);
    expect(err.kind).toBe('unsupported_media_type');
    expect(isDomainError(err, 'unsupported_media_type')).toBe(true);
    expect(Object.values(HTTP_STATUS)).toContain(AppError.notFound('x', 'y').status);
  });

  it('names each failing field in details and errors', () => {
    const err = DomainError.invalidFields('invalid_distribution', 'Invalid distribution', [
      { field: 'name', reason: 'required' },
      { field: 'channels.0.type', reason: 'unknown' },
    ]);
    expect(err.details).toBe('name: required; channels.0.type: unknown');
    expect(err.extra).toEqual({
      errors: [
        { field: 'name', reason: 'required' },
        { field: 'channels.0.type', reason: 'unknown' },
      ],
    });
  });

  it('travel through a Temporal failure and come back the same, found among the causes', () => {
    const original = DomainError.notFound('distribution', 'd1');
    const failure = domainErrorToFailure(original);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: DOMAIN_ERROR_FAILURE_TYPE, nonRetryable: true });
    const wrapped = new Error('update failed', { cause: new Error('activity failed', { cause: failure as Error }) });
    const back = domainErrorFromFailure(wrapped);
    expect(back).toBeInstanceOf(DomainError);
    expect(back).toMatchObject({
      kind: 'not_found',
      key: 'not_found',
      message: original.message,
      details: original.details,
      extra: original.extra,
    });
  });

  it('leave other errors to be retried, and find none where none was put', () => {
    const plain = new Error('connection reset');
    expect(domainErrorToFailure(plain)).toBe(plain);
    expect(domainErrorFromFailure(plain)).toBeUndefined();
    expect(domainErrorFromFailure(ApplicationFailure.create({ message: 'other', type: 'Other' }))).toBeUndefined();
  });
});
