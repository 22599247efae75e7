import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors';

interface Schemas<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  body?: B;
  query?: Q;
  params?: P;
}

export interface FieldError {
  field: string;
  reason: string;
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

/**
 * Parses body, query and params with zod before the handler runs; the handler reads the
 * parsed values from `res.locals.{body,query,params}`, with defaults applied and unknown
 * fields already refused (schemas are strict objects).
 */
export function validate<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(schemas: Schemas<B, Q, P>): RequestHandler {
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
      throw AppError.badRequest(key, 'Invalid request', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), { errors: problems });
    }
    next();
  };
}
