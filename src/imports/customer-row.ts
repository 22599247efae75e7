import { customerInput, type CustomerInput } from '../customers/customer-input';
import { fieldErrors, type FieldError } from '../errors';

export type ValidatedRow = { ok: true; input: CustomerInput } | { ok: false; errors: FieldError[] };

/** The same validation as POST /v1/customers; a bulk update also needs the key it updates by. */
export function validateCustomerRow(value: unknown, options: { requireSourceId: boolean }): ValidatedRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, errors: [{ field: '(row)', reason: `expected a customer object, got ${got}` }] };
  }
  const parsed = customerInput.safeParse(value);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  if (options.requireSourceId && !parsed.data.source_id) {
    return {
      ok: false,
      errors: [{ field: 'source_id', reason: 'a bulk update needs the source_id of each customer' }],
    };
  }
  return { ok: true, input: parsed.data };
}
