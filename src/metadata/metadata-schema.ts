import { z } from 'zod';
import type { FieldError } from '../errors';

/** One declared metadata property, in Voucherify's metadata-schema vocabulary. */
export const metadataProperty = z.strictObject({
  type: z.enum(['string', 'number', 'boolean', 'date', 'datetime', 'object', 'geopoint', 'image_url']),
  /** A list of values of `type`. */
  array: z.boolean().default(false),
  /** Whether the key may be absent; Voucherify's default is true. */
  optional: z.boolean().default(true),
  /** Allowed values (string or number properties). */
  in: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  min_length: z.number().int().min(0).optional(),
  max_length: z.number().int().min(0).optional(),
});

export type MetadataProperty = z.infer<typeof metadataProperty>;

const KEY = /^[^$.][^.]*$/;

export const metadataSchemaInput = z.strictObject({
  properties: z.record(
    z.string().min(1).max(100).regex(KEY, 'property names may not start with $ or contain dots'),
    metadataProperty,
  ),
  allow_defined_only: z.boolean().default(false),
});

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function typeProblem(p: MetadataProperty, value: unknown): string | undefined {
  switch (p.type) {
    case 'string':
      if (typeof value !== 'string') return 'expected a string';
      if (p.min_length !== undefined && value.length < p.min_length)
        return `expected at least ${p.min_length} characters`;
      if (p.max_length !== undefined && value.length > p.max_length)
        return `expected at most ${p.max_length} characters`;
      break;
    case 'image_url':
      if (typeof value !== 'string' || !URL.canParse(value) || !/^https?:/.test(value))
        return 'expected an http(s) URL';
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'expected a number';
      if (p.min !== undefined && value < p.min) return `expected at least ${p.min}`;
      if (p.max !== undefined && value > p.max) return `expected at most ${p.max}`;
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return 'expected true or false';
      break;
    case 'date':
      if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
        return 'expected a date (YYYY-MM-DD)';
      break;
    case 'datetime':
      if (typeof value !== 'string' || !z.iso.datetime({ offset: true }).safeParse(value).success)
        return 'expected an ISO 8601 date-time';
      break;
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected an object';
      break;
    case 'geopoint': {
      const point = value as { latitude?: unknown; longitude?: unknown } | null;
      if (
        typeof point !== 'object' ||
        point === null ||
        typeof point.latitude !== 'number' ||
        typeof point.longitude !== 'number'
      )
        return 'expected {latitude, longitude}';
      break;
    }
  }
  if (p.in && !p.in.includes(value as string | number)) return `expected one of ${p.in.join(', ')}`;
  return undefined;
}

/** Every way `metadata` breaks the schema, each naming `metadata.<key>`. */
export function checkMetadata(
  schema: { properties: Record<string, MetadataProperty>; allow_defined_only: boolean },
  metadata: Record<string, unknown>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = metadata[key];
    const field = `metadata.${key}`;
    if (value === undefined || value === null) {
      if (!property.optional) errors.push({ field, reason: 'is required by the metadata schema' });
      continue;
    }
    if (property.array) {
      if (!Array.isArray(value)) errors.push({ field, reason: `expected a list of ${property.type}` });
      else
        value.forEach((item, i) => {
          const problem = typeProblem(property, item);
          if (problem) errors.push({ field: `${field}.${i}`, reason: problem });
        });
      continue;
    }
    const problem = typeProblem(property, value);
    if (problem) errors.push({ field, reason: problem });
  }
  if (schema.allow_defined_only) {
    for (const key of Object.keys(metadata))
      if (!(key in schema.properties))
        errors.push({ field: `metadata.${key}`, reason: 'is not defined in the metadata schema' });
  }
  return errors;
}
