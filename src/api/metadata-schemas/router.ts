import { z } from 'zod';
import type { Infrastructure } from '../../infrastructure';
import { ApiRouter } from '../../http/api-router';
import { AppError } from '../../http/errors';
import { metadataSchemaInput } from '../../metadata/metadata-schema';
import type { MetadataSchemaDoc } from '../../models/metadata-schema';

const resourceParams = z.strictObject({
  resource: z.enum(['customer']).describe('The resource whose metadata the schema types (customers, for now)'),
});

const schemaJson = z
  .object({
    id: z.string(),
    related_object: z.string(),
    properties: z.record(z.string(), z.unknown()),
    allow_defined_only: z.boolean(),
    object: z.literal('metadata_schema'),
  })
  .catchall(z.unknown());

function toJson(s: MetadataSchemaDoc) {
  return {
    id: s._id,
    related_object: s._id,
    properties: s.properties,
    allow_defined_only: s.allow_defined_only,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at?.toISOString() ?? null,
    object: 'metadata_schema' as const,
  };
}

/**
 * Metadata schemas (Voucherify's dashboard-only setting, an API here): declared types
 * that customer writes are checked against. Existing data is not re-checked on change.
 */
export function metadataSchemasRouter({ models: { MetadataSchema } }: Pick<Infrastructure, 'models'>): ApiRouter {
  return new ApiRouter('/v1/metadata-schemas', 'Metadata schemas')
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List metadata schemas',
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('schemas'),
          schemas: z.array(schemaJson),
          total: z.number(),
        }),
      },
      async () => {
        const schemas = await MetadataSchema.find().sort({ _id: 1 }).lean();
        return {
          object: 'list' as const,
          data_ref: 'schemas' as const,
          schemas: schemas.map(toJson),
          total: schemas.length,
        };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:resource',
        summary: "Get a resource's metadata schema",
        params: resourceParams,
        response: schemaJson,
        errors: { 404: 'No schema declared' },
      },
      async ({ params }) => {
        const schema = await MetadataSchema.findById(params.resource).lean();
        if (!schema) throw AppError.notFound('metadata_schema', params.resource);
        return toJson(schema);
      },
    )
    .route(
      {
        method: 'put',
        path: '/:resource',
        summary: "Declare (or replace) a resource's metadata schema",
        params: resourceParams,
        body: metadataSchemaInput,
        response: schemaJson,
      },
      async ({ params, body }) => {
        const schema = await MetadataSchema.findOneAndUpdate(
          { _id: params.resource },
          { $set: body },
          { upsert: true, returnDocument: 'after' },
        ).lean();
        return toJson(schema!);
      },
    )
    .route(
      {
        method: 'delete',
        path: '/:resource',
        summary: "Remove a resource's metadata schema",
        params: resourceParams,
        status: 204,
        errors: { 404: 'No schema declared' },
      },
      async ({ params }) => {
        const { deletedCount } = await MetadataSchema.deleteOne({ _id: params.resource });
        if (deletedCount === 0) throw AppError.notFound('metadata_schema', params.resource);
      },
    );
}
