import { z } from 'zod';
import { boundedRecord, METADATA_MAX_BYTES, METADATA_MAX_DEPTH } from '../metadata/metadata-bounds';

const nullableText = (max: number) => z.string().trim().max(max).nullable().optional();

export const addressInput = z.strictObject({
  city: nullableText(200),
  state: nullableText(200),
  line_1: nullableText(500),
  line_2: nullableText(500),
  country: nullableText(200),
  postal_code: nullableText(50),
});

/**
 * Metadata: keys may not start with `$` or hold dots (MongoDB field names). Values are
 * whatever JSON the body parser produced (z.json() would be exact but is recursive, which
 * the OpenAPI generator cannot render), at most METADATA_MAX_DEPTH deep and METADATA_MAX_BYTES
 * large; a metadata schema types them further.
 */
export const metadataInput = boundedRecord(
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^$.][^.]*$/, 'metadata keys may not start with $ or contain dots'),
  'metadata',
).describe(`Free-form JSON object: at most ${METADATA_MAX_DEPTH} levels deep and ${METADATA_MAX_BYTES} bytes`);

const birthdate = z.iso.date('birthdate must be YYYY-MM-DD').nullable().optional();

/**
 * A customer as the API takes it (create and update share it: absent fields are left
 * alone, `null` clears one). `id` and `object` are accepted so a customer read from the
 * API can be sent back as it is.
 */
export const customerInput = z.strictObject({
  id: z.string().max(100).optional(),
  object: z.literal('customer').optional(),
  source_id: z.string().trim().min(1).max(200).nullable().optional(),
  name: nullableText(500),
  email: z.email().max(320).nullable().optional(),
  phone: nullableText(50),
  description: nullableText(2000),
  birthdate,
  /** Deprecated alias of birthdate that Voucherify still accepts. */
  birthday: birthdate,
  address: addressInput.nullable().optional(),
  metadata: metadataInput.nullable().optional(),
});

export type CustomerInput = z.infer<typeof customerInput>;
