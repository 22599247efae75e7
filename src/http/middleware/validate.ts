import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { DomainError, fieldErrors, type FieldError } from '../../errors';

interface Schemas<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  body?: B;
  query?: Q;
  params?: P;
}

/**
 * Parses body, query and params with zod before the handler runs; the handler reads the
 * parsed values from `res.locals.{body,query,params}`, with defaults applied and unknown
 * fields already refused (schemas are strict objects).
 */
export function validate<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  schemas: Schemas<B, Q, P>,
): RequestHandler {
  return (req, res, next) => {
    const problems: FieldError[] = [];
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? {});
      if (result.success) res.locals[part] = result.data;
      else problems.push(...fieldErrors(result.error, part === 'body' ? '' : part));
    }
    if (problems.length > 0) {
      const key = schemas.body && !schemas.query ? 'invalid_payload' : 'invalid_params';
      throw DomainError.invalidFields(key, 'Invalid request', problems);
    }
    next();
  };
}
