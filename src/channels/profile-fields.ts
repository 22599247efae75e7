import { isKnownPath, suggestPath } from '../templates/fields';

/**
 * Which profile field (Braze custom attribute, Mailchimp merge field, ActiveCampaign custom
 * field, Intercom custom attribute) receives which message variable: field name → variable
 * path, e.g. `{ promo_code: 'voucher.code', first_name: 'customer.name' }`.
 */
export type FieldMap = Record<string, string>;

/** What a profile field can hold: the providers take scalars; `null` clears a field. */
export type ProfileValue = string | number | boolean | null;

/** The channels that write variables onto a profile (`settings.fields`) instead of sending a message. */
export const PROFILE_FIELD_CHANNEL_TYPES: readonly string[] = ['activecampaign', 'braze', 'mailchimp', 'intercom'];

/** Without `settings.fields`, a CRM channel writes the published code only. */
export const DEFAULT_FIELD_MAP: Readonly<FieldMap> = Object.freeze({ promo_code: 'voucher.code' });

/** The channel settings' field map (`settings.fields`), or the default when absent. Call after `validateFieldMap`. */
export function fieldMapOf(settings: Record<string, unknown>): FieldMap {
  const fields = settings.fields;
  if (fields === undefined || fields === null || !isPlainObject(fields)) return { ...DEFAULT_FIELD_MAP };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Problems with a `settings.fields` value (absent is fine: the default applies), one message each. */
export function validateFieldMap(fields: unknown): string[] {
  if (fields === undefined) return [];
  if (!isPlainObject(fields)) return ['fields must be an object mapping a profile field name to a variable path'];
  const entries = Object.entries(fields);
  if (entries.length === 0) return ['fields must name at least one profile field'];
  const problems: string[] = [];
  for (const [name, path] of entries) {
    if (name.trim() === '') problems.push('fields: a profile field name must not be empty');
    if (typeof path !== 'string' || path === '') {
      problems.push(`fields.${name} must be a variable path such as "voucher.code"`);
      continue;
    }
    if (!isKnownPath(path)) {
      const suggestion = suggestPath(path);
      problems.push(
        `fields.${name}: unknown variable "${path}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      );
    }
  }
  return problems;
}

/**
 * The value of each mapped field for one message: the variable at its path, a date as ISO
 * text, an object or array as JSON (a metadata entry may be one), a missing variable as `null`
 * so the profile does not keep a stale value from an earlier message.
 */
export function profileValues(fields: FieldMap, variables: Record<string, unknown>): Record<string, ProfileValue> {
  const out: Record<string, ProfileValue> = {};
  for (const [name, path] of Object.entries(fields)) out[name] = toProfileValue(valueAt(variables, path));
  return out;
}

function valueAt(root: Record<string, unknown>, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split('.')) {
    if (!isPlainObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

function toProfileValue(value: unknown): ProfileValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The id a CRM profile carries for this customer: the merchant's `source_id`, else ours. */
export function externalIdOf(customer: { _id: string; source_id?: string | null }): string {
  return customer.source_id?.trim() || customer._id;
}
