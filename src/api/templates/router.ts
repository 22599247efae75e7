import { z } from 'zod';
import type { AppContext } from '../../context';
import { metadataInput } from '../../customers/customer-input';
import { findPage } from '../../db/find-page';
import { templateInput } from '../../distributions/distribution-input';
import { ApiRouter } from '../../http/api-router';
import { blocksInput, blocksToMjml, emailStyleInput } from '../../templates/blocks';
import type { TemplateDoc } from '../../models/template';
import { templateVariables } from '../../templates/variable-catalog';
import { pagingQuery } from '../list-query';
import { channelType, id, idParams, templateJson, toTemplateJson, voucherCode } from './template-json';

const createBody = templateInput.extend({
  name: z.string().trim().min(1, 'a name is required').max(200),
  channel_type: channelType,
  metadata: metadataInput.optional(),
});
const updateBody = createBody.partial();

const previewBody = z.strictObject({
  template: templateInput.optional().describe('An inline template (or give template_id)'),
  template_id: id.optional().describe('A saved template'),
  channel_type: channelType.optional().describe("Default: the saved template's, else email"),
  customer_id: id.describe('A customer id or source_id'),
  voucher_code: voucherCode
    .optional()
    .describe('A code to show (its voucher and campaign are used when it exists); default SAMPLE-CODE'),
});

const previewQuery = z.strictObject({
  customer_id: id,
  voucher_code: voucherCode.optional(),
  format: z.enum(['json', 'html']).default('json').describe('html: the email body itself, to open in a browser'),
});

const variablesJson = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      name: z.string().describe('The path inside {{ }}; <key> stands for any key'),
      description: z.string(),
      example: z.string(),
      purposes: z.array(z.string()).describe('Distribution purposes that fill it'),
      triggers: z
        .array(z.string())
        .describe('Automatic triggers that fill it; purposes and triggers both empty: always there'),
    }),
  ),
});
const previewJson = z.object({
  channel_type: z.string(),
  subject: z.string().nullable(),
  html: z.string().nullable(),
  text: z.string().nullable(),
});

/**
 * The preview page renders a template with a customer's data in it, on the console's origin:
 * `sandbox` (no scripts, an opaque origin, so nothing in it can use the console's session or
 * read its pages), no framing by another page, no form posting anywhere, no `<base>`. Images
 * and styles load from anywhere, as they would in a mail client.
 */
const PREVIEW_CSP =
  "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline' *; font-src *; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Saved message templates (validated like a distribution's), where they are used, previews and the
 * variables they may use. Test sends are `template-tests`, images `template-images`.
 */
export function templatesRouter({ templates, models }: AppContext): ApiRouter {
  const withUses = async (t: TemplateDoc) => toTemplateJson(t, (await templates.usedBy([t._id])).get(t._id) ?? []);
  return new ApiRouter('/v1/templates', 'Templates')
    .route(
      {
        method: 'get',
        path: '/variables',
        summary:
          'Every variable a template may use: what it holds, an example, and which distribution purposes and automatic triggers fill it',
        response: variablesJson,
      },
      () => ({ object: 'list' as const, data: templateVariables() }),
    )
    .route(
      {
        method: 'post',
        path: '/preview',
        role: 'read',
        summary: 'Render a template for a customer and a sample code, without sending, publishing or writing anything',
        body: previewBody,
        response: previewJson,
        errors: { 404: 'No such customer or template' },
      },
      async ({ body }) => {
        const r = await templates.preview(body);
        return { channel_type: r.channel_type, subject: r.subject ?? null, html: r.html ?? null, text: r.text ?? null };
      },
    )
    .route(
      // The console's editor switches a blocks email to the designer with this: one compiler of blocks, the server's.
      {
        method: 'post',
        path: '/mjml',
        role: 'read',
        summary: "Convert the message editor's blocks (and style) to the MJML they compile to",
        body: z.strictObject({ blocks: blocksInput, style: emailStyleInput.optional() }),
        response: z.object({ mjml: z.string() }),
      },
      async ({ body }) => ({ mjml: blocksToMjml(body.blocks, body.style) }),
    )
    .route(
      { method: 'post', path: '/', summary: 'Save a message template', body: createBody, response: templateJson },
      async ({ body }) => toTemplateJson(await templates.create(body), []),
    )
    .route(
      {
        method: 'get',
        path: '/',
        summary: 'List saved templates, each with the distributions that use it',
        query: z.strictObject({ ...pagingQuery, channel_type: channelType.optional() }),
        response: z.object({
          object: z.literal('list'),
          data_ref: z.literal('data'),
          data: z.array(templateJson),
          total: z.number(),
        }),
      },
      async ({ query }) => {
        const filter = query.channel_type ? { channel_type: query.channel_type } : {};
        const { docs, total } = await findPage(models.Template, filter, {
          sort: { created_at: -1, _id: -1 },
          page: query.page,
          limit: query.limit,
        });
        const uses = await templates.usedBy(docs.map((t) => t._id));
        return {
          object: 'list' as const,
          data_ref: 'data' as const,
          data: docs.map((t) => toTemplateJson(t, uses.get(t._id) ?? [])),
          total,
        };
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id',
        summary: 'Get a saved template, with the distributions that use it',
        params: idParams,
        response: templateJson,
        errors: { 404: 'No such template' },
      },
      async ({ params }) => withUses(await templates.get(params.id)),
    )
    .route(
      {
        method: 'put',
        path: '/:id',
        summary:
          'Edit a saved template; a new body (html, mjml or blocks) replaces the old one. Refused (400) when a scheduled or automatic distribution using it could not send the result',
        params: idParams,
        body: updateBody,
        response: templateJson,
        errors: { 404: 'No such template' },
      },
      async ({ params, body }) => withUses(await templates.update(params.id, body)),
    )
    .route(
      {
        method: 'delete',
        path: '/:id',
        summary: 'Delete a saved template; refused while a distribution that may still send uses it',
        params: idParams,
        status: 204,
        errors: { 404: 'No such template', 409: 'A distribution not finished uses it' },
      },
      async ({ params }) => {
        await templates.delete(params.id);
      },
    )
    .route(
      {
        method: 'get',
        path: '/:id/preview',
        summary: 'Preview a saved template for a customer; format=html answers the email body as a page',
        params: idParams,
        query: previewQuery,
        response: previewJson,
        errors: { 404: 'No such customer or template' },
        media: { 200: 'text/html' },
      },
      async ({ params, query, res }) => {
        const r = await templates.preview({
          template_id: params.id,
          customer_id: query.customer_id,
          ...(query.voucher_code ? { voucher_code: query.voucher_code } : {}),
        });
        if (query.format === 'html') {
          const page = r.html ?? `<pre>${(r.text ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;')}</pre>`;
          res
            .status(200)
            .set('Content-Security-Policy', PREVIEW_CSP)
            .set('Cache-Control', 'no-store')
            .type('html')
            .send(page);
          return undefined;
        }
        return { channel_type: r.channel_type, subject: r.subject ?? null, html: r.html ?? null, text: r.text ?? null };
      },
    );
}
