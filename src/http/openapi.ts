import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// The registry names schemas through the `.openapi()` method this adds to zod.
extendZodWithOpenApi(z);
import type { ApiRouter } from './api-router';

const errorSchema = z.object({
  code: z.number().int().describe('HTTP status'),
  key: z.string().describe('Machine-readable error kind, e.g. not_found, invalid_payload'),
  message: z.string(),
  details: z.string().optional().describe('Which field and why'),
  request_id: z.string().describe('Also sent as the X-Request-Id header'),
  errors: z
    .array(z.object({ field: z.string(), reason: z.string() }))
    .optional()
    .describe('Per-field validation errors'),
});

/** The OpenAPI 3.1 document of every route, generated from the routers' zod schemas. */
export function buildOpenApiDocument(routers: readonly ApiRouter[], version: string): object {
  const registry = new OpenAPIRegistry();
  registry.register('Error', errorSchema);
  registry.registerComponent('securitySchemes', 'AppId', { type: 'apiKey', in: 'header', name: 'X-App-Id' });
  registry.registerComponent('securitySchemes', 'AppToken', { type: 'apiKey', in: 'header', name: 'X-App-Token' });
  for (const router of routers) for (const route of router.openApiRoutes()) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Promo distribution engine API',
      version,
      description:
        "Voucherify-compatible admin API (customers, segments, campaigns, publications, …) plus distributions. Authenticate with the X-App-Id and X-App-Token headers; errors use Voucherify's {code, key, message, details, request_id} body.",
    },
  });
}
