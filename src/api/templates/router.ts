import { z } from 'zod';
import type { AppContext } from '../../context';
import { metadataInput } from '../../customers/customer-input';
import { findPage } from '../../db/find-page';
import { payloadTooLarge } from '../../imports/upload-store';
import { templateInput } from '../../distributions/distribution-input';
import { ApiRouter } from '../../http/api-router';
import { blocksInput, blocksToMjml, emailStyleInput } from '../../templates/blocks';
import { multipartFile } from '../../imports/multipart-file';
import type { TemplateDoc } from '../../models/template';
import type { TestMessageDoc } from '../../models/test-message';
import { DEFAULT_IMAGE_MAX_BYTES, storeImage } from '../../templates/image-store';
import type { TemplateUse } from '../../templates/template-service';
import { sendTestMessage } from '../../templates/test-send';
import { templateVariables } from '../../templates/variable-catalog';
import { pagingQuery } from '../list-query';

const id = z.string().trim().min(1).max(200);
const idParams = z.strictObject({ id: z.string().min(1).max(100) });
const channelType = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .describe('email (or an email provider: sendgrid, mandrill, mailgun), sms, webhook, …');

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
  voucher_code: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('A code to show (its voucher and campaign are used when it exists); default SAMPLE-CODE'),
});

const previewQuery = z.strictObject({
  customer_id: id,
  voucher_code: z.string().trim().min(1).max(200).optional(),
  format: z.enum(['json', 'html']).default('json').describe('html: the email body itself, to open in a browser'),
});

const testTarget = {
  channel_id: id
    .optional()
    .describe(
      'The provider account (GET /v1/channels) to send through; omit for a channel type that sends without one (email)',
    ),
  channel_type: channelType
    .optional()
    .describe("Without channel_id: the channel type (default: the saved template's, else email)"),
  to: z
    .string()
    .trim()
    .min(3)
    .max(320)
    .describe('The one email address or phone number (international form) it goes to'),
  customer_id: id
    .optional()
    .describe('A customer (id or source_id) whose data fills the variables; default: a sample customer'),
  voucher_code: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'A code to show (its voucher and campaign are used when it exists; nothing is published); default SAMPLE-CODE',
    ),
};
const testBody = z.strictObject(testTarget);
const inlineTestBody = z.strictObject({
  template: templateInput.describe('The unsaved template to send'),
  ...testTarget,
});

const usedByJson = z
  .array(z.object({ distribution_id: z.string(), name: z.string(), status: z.string() }))
  .describe('Distributions whose channels name this template, newest first (at most 100)');
const templateJson = z
  .object({
    id: z.string(),
    object: z.literal('template'),
    name: z.string(),
    channel_type: z.string(),
    version: z.number().describe('Bumped by every edit'),
    used_by: usedByJson,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .catchall(z.unknown());
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
const testMessageJson = z.object({
  object: z.literal('test_message'),
  id: z.string(),
  status: z
    .enum(['queued', 'sent', 'failed'])
    .describe('sent: the provider accepted it; failed: see error (queued only if the service stopped mid-send)'),
  channel: z.object({ type: z.string(), id: z.string().nullable() }),
  to: z.string(),
  template_id: z.string().nullable(),
  customer_id: z.string().nullable(),
  voucher_code: z.string(),
  error: z.string().nullable(),
  provider_message_id: z.string().nullable(),
  created_at: z.string(),
  sent_at: z.string().nullable(),
});
const imageJson = z.object({
  id: z.string(),
  url: z.string().describe('Where it is served, without credentials: /public/images/<id>'),
  content_type: z.string(),
  size: z.number(),
});

function toTestMessageJson(m: TestMessageDoc) {
  return {
    object: 'test_message' as const,
    id: m._id,
    status: m.status,
    channel: { type: m.channel_type, id: m.channel_id ?? null },
    to: m.to,
    template_id: m.template_id ?? null,
    customer_id: m.customer_id ?? null,
    voucher_code: m.voucher_code,
    error: m.error ?? null,
    provider_message_id: m.provider_message_id ?? null,
    created_at: new Date(m.created_at).toISOString(),
    sent_at: m.sent_at ? new Date(m.sent_at).toISOString() : null,
  };
}
const previewJson = z.object({
  channel_type: z.string(),
  subject: z.string().nullable(),
  html: z.string().nullable(),
  text: z.string().nullable(),
});

function toTemplateJson(t: TemplateDoc, usedBy: TemplateUse[]) {
  return {
    id: t._id,
    object: 'template' as const,
    name: t.name,
    channel_type: t.channel_type,
    version: t.version ?? 1,
    used_by: usedBy,
    subject: t.subject ?? null,
    ...(t.mjml !== undefined ? { mjml: t.mjml } : {}),
    ...(t.blocks !== undefined ? { blocks: t.blocks } : {}),
    ...(t.style !== undefined ? { style: t.style } : {}),
    ...(t.html !== undefined ? { html: t.html } : {}),
    text: t.text ?? null,
    metadata: t.metadata ?? null,
    created_at: t.created_at.toISOString(),
    updated_at: t.updated_at.toISOString(),
  };
}

/**
 * The preview page renders a template with a customer's data in it, on the console's origin:
 * `sandbox` (no scripts, an opaque origin, so nothing in it can use the console's session or
 * read its pages), no framing by another page, no form posting anywhere, no `<base>`. Images
 * and styles load from anywhere, as they would in a mail client.
 */
const PREVIEW_CSP =
  "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline' *; font-src *; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Saved message templates (validated like a distribution's), where they are used, previews, test sends, images and the variables they may use. */
export function templatesRouter(ctx: AppContext): ApiRouter {
  const { templates, models } = ctx;
  const withUses = async (t: TemplateDoc) => toTemplateJson(t, (await templates.usedBy([t._id])).get(t._id) ?? []);
  const imageMaxBytes = ctx.imageMaxBytes ?? DEFAULT_IMAGE_MAX_BYTES;
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
      {
        method: 'post',
        path: '/test',
        summary:
          'Send an unsaved template once, to one email address or phone number, through a chosen channel: recorded as a test message, in no report, publishing no code',
        body: inlineTestBody,
        response: testMessageJson,
        errors: { 404: 'No such channel account or customer' },
      },
      async ({ body }) => toTestMessageJson(await sendTestMessage(ctx, body)),
    )
    .route(
      {
        method: 'post',
        path: '/images',
        summary: `Upload an image for templates (multipart/form-data, field "file"): PNG, JPEG, GIF or WebP by content (SVG and anything else: 415), at most ${imageMaxBytes} bytes (413); served without credentials under /public/images/<id>`,
        upload: { field: 'file', description: 'The image' },
        status: 201,
        response: imageJson,
        errors: { 400: 'No "file" field, an empty file, or a malformed multipart body' },
      },
      async ({ req, res }) => {
        const declared = Number(req.headers['content-length']);
        // Room for the multipart boundaries and part headers around the file.
        if (Number.isFinite(declared) && declared > imageMaxBytes + 64 * 1024) {
          res.setHeader('Connection', 'close');
          throw payloadTooLarge(imageMaxBytes);
        }
        const file = await multipartFile(req, 'file');
        try {
          const image = await storeImage(ctx.db, file.stream, file.filename, imageMaxBytes);
          return { ...image, url: `/public/images/${image.id}` };
        } catch (err) {
          // A refused upload is not read to its end: the connection closes once the error is sent.
          res.setHeader('Connection', 'close');
          throw err;
        }
      },
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
        method: 'post',
        path: '/:id/test',
        summary:
          'Send a saved template once, to one email address or phone number, through a chosen channel: recorded as a test message, in no report, publishing no code',
        params: idParams,
        body: testBody,
        response: testMessageJson,
        errors: { 404: 'No such template, channel account or customer' },
      },
      async ({ params, body }) => toTestMessageJson(await sendTestMessage(ctx, { ...body, template_id: params.id })),
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
