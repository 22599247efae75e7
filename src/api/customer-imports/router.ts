import type { Infrastructure } from '../../infrastructure';
import { Readable } from 'node:stream';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { customerInput } from '../../customers/customer-input';
import { ApiRouter, SECURED_ERRORS, securityDoc } from '../../http/api-router';
import { isDomainError } from '../../errors';
import { AppError } from '../../http/errors';
import { routeMatched } from '../../http/middleware/access-log';
import { authorize } from '../../http/middleware/auth';
import { acceptImport, DEFAULT_IMPORT_MAX_BYTES, type ImportContext } from '../../imports/customer-imports';
import { multipartFile } from '../../imports/multipart-file';
import { payloadTooLarge } from '../../imports/upload-store';
import type { UploadFormat } from '../../models/async-action';

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
]);
/** Room for multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

const accepted = z.object({
  async_action_id: z
    .string()
    .meta({ description: 'Poll GET /v1/async-actions/{id} for progress and the per-row error report' }),
});
const errorRef = { $ref: '#/components/schemas/Error' };

/**
 * Uploads whose bodies are streamed into storage rather than parsed in memory, so this
 * router is mounted before express.json (see src/http/app.ts), after authentication. Routes carry hand-written OpenAPI entries: their bodies are not JSON the generic
 * ApiRouter could validate.
 */
class UploadRouter extends ApiRouter {
  private readonly uploadDocs: RouteConfig[] = [];

  /** Every upload creates or changes customers: a `write` key's business. */
  post(
    path: string,
    doc: Omit<RouteConfig, 'method' | 'path' | 'responses' | 'tags' | 'security'>,
    errors: Record<number, string>,
    ...handlers: RequestHandler[]
  ): this {
    this.router.post(path, routeMatched(`${this.basePath}${path}`), authorize('write'), ...handlers);
    this.uploadDocs.push({
      ...doc,
      method: 'post',
      path: `${this.basePath}${path}`,
      tags: [this.tag],
      ...securityDoc('write'),
      description: `${doc.description ?? ''} ${securityDoc('write').description}`.trim(),
      responses: {
        202: {
          description: 'Accepted: the upload is stored and its import enqueued',
          content: { 'application/json': { schema: accepted } },
        },
        ...Object.fromEntries(
          Object.entries({ ...errors, ...SECURED_ERRORS }).map(([code, description]) => [
            code,
            { description, content: { 'application/json': { schema: errorRef } } },
          ]),
        ),
      },
    });
    return this;
  }

  override openApiRoutes(): readonly RouteConfig[] {
    return [...super.openApiRoutes(), ...this.uploadDocs];
  }
}

/** POST /v1/customers/importCSV, /import and /bulk/async: each answers 202 {async_action_id} once the upload is stored. */
export function customerImportsRouter(ctx: ImportContext & Pick<Infrastructure, 'bodyLimit'>): ApiRouter {
  const maxBytes = ctx.importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES;
  const limits = `At most ${maxBytes} bytes (413 beyond). Rows are numbered from 1 in file order (a CSV header is not counted).`;

  const importCsv: RequestHandler = async (req, res) => {
    refuseDeclaredOversize(req, res, maxBytes + MULTIPART_OVERHEAD, maxBytes);
    const file = await multipartFile(req, 'file');
    const id = await stored(
      res,
      acceptImport(ctx, { type: 'CUSTOMERS_IMPORT_CSV', format: 'csv', filename: file.filename, source: file.stream }),
    );
    res.status(202).json({ async_action_id: id });
  };

  const importJson: RequestHandler = async (req, res) => {
    const format = streamedFormat(req);
    refuseDeclaredOversize(req, res, maxBytes, maxBytes);
    const id = await stored(
      res,
      acceptImport(ctx, {
        type: 'CUSTOMERS_IMPORT',
        format,
        filename: format === 'json' ? 'customers.json' : 'customers.ndjson',
        source: req,
      }),
    );
    res.status(202).json({ async_action_id: id });
  };

  // Voucherify's bulk update takes an ordinary JSON body, so it keeps the API's JSON size limit;
  // it is stored one customer per line and imported by the same pipeline.
  const bulkUpdate: RequestHandler = async (req, res) => {
    const body: unknown = req.body;
    if (!Array.isArray(body) || body.length === 0)
      throw AppError.badRequest(
        'invalid_payload',
        'Invalid request',
        'The body must be a non-empty JSON array of customers.',
      );
    const lines = Readable.from(
      (function* () {
        for (const customer of body) yield `${JSON.stringify(customer)}\n`;
      })(),
    );
    const id = await acceptImport(ctx, {
      type: 'CUSTOMERS_BULK_UPDATE',
      format: 'ndjson',
      filename: 'bulk-update.ndjson',
      source: lines,
    });
    res.status(202).json({ async_action_id: id });
  };

  return new UploadRouter('/v1/customers', 'Customer imports')
    .post(
      '/importCSV',
      {
        summary: 'Import customers from a CSV file (multipart/form-data, field "file")',
        description: `Header columns map to fields: source_id, name, email, phone, description, birthdate (or birthday), and address fields as city / address.city / address_city (likewise state, line_1, line_2, country, postal_code); case, spaces and dashes are ignored, so "Postal code" works. Any other column becomes metadata.<column> (a "metadata." prefix is stripped); metadata values stay text unless the customer metadata schema declares the key a number, a boolean (true/false) or a list (comma-separated). Empty cells are ignored. Each row is validated like POST /v1/customers and upserted by source_id. ${limits}`,
        request: {
          body: {
            required: true,
            content: { 'multipart/form-data': { schema: z.object({ file: z.string().meta({ format: 'binary' }) }) } },
          },
        },
      },
      {
        400: 'No "file" field, or a malformed multipart body',
        413: 'Upload too large',
        415: 'Not multipart/form-data',
      },
      importCsv,
    )
    .post(
      '/import',
      {
        summary:
          'Import customers from a JSON array (application/json) or one customer object per line (application/x-ndjson)',
        description: `The body is streamed, not buffered: send a JSON array of customer objects as application/json, or newline-delimited JSON as application/x-ndjson (also application/jsonl). Each element is validated like POST /v1/customers and upserted by source_id; a bad element is reported with its row and never stops the others. ${limits}`,
        request: {
          body: {
            required: true,
            content: {
              'application/json': { schema: z.array(customerInput) },
              'application/x-ndjson': { schema: { type: 'string', description: 'One customer object per line' } },
            },
          },
        },
      },
      { 413: 'Upload too large', 415: 'Neither application/json nor application/x-ndjson, or a compressed body' },
      importJson,
    )
    .post(
      '/bulk/async',
      {
        summary: 'Create or update customers in bulk by source_id (asynchronous)',
        description:
          'A JSON array of customers, each with its source_id; within the API body size limit. Processed like /v1/customers/import.',
        request: { body: { required: true, content: { 'application/json': { schema: z.array(customerInput) } } } },
      },
      { 400: 'Not a non-empty JSON array', 413: 'Body larger than the API body limit' },
      express.json({ limit: ctx.bodyLimit }),
      bulkUpdate,
    );
}

function streamedFormat(req: Request): UploadFormat {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity')
    throw new AppError(415, 'unsupported_encoding', 'Unsupported content encoding', 'Send the upload uncompressed.');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (NDJSON_TYPES.has(type)) return 'ndjson';
  throw new AppError(
    415,
    'unsupported_media_type',
    'Unsupported media type',
    'Send a JSON array as application/json, or one customer object per line as application/x-ndjson.',
  );
}

/** A declared Content-Length over the limit is refused before a byte is read. */
function refuseDeclaredOversize(req: Request, res: Response, allowed: number, maxBytes: number): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > allowed) {
    closeAfterResponse(res);
    throw payloadTooLarge(maxBytes);
  }
}

/** A refused upload is not read to its end: the connection closes once the error is sent. */
async function stored<T>(res: Response, storing: Promise<T>): Promise<T> {
  try {
    return await storing;
  } catch (err) {
    if (isDomainError(err, 'too_large')) closeAfterResponse(res);
    throw err;
  }
}

function closeAfterResponse(res: Response): void {
  res.setHeader('Connection', 'close');
}
