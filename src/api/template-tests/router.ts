import { z } from 'zod';
import type { AppContext } from '../../context';
import { templateInput } from '../../distributions/distribution-input';
import { ApiRouter } from '../../http/api-router';
import type { TestMessageDoc } from '../../models/test-message';
import { sendTestMessage } from '../../templates/test-send';
import { channelType, id, idParams, voucherCode } from '../templates/template-json';

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
  voucher_code: voucherCode
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
/** Test messages: a template (saved or not) sent once to one address, recorded apart from every report. */
export function templateTestsRouter(ctx: AppContext): ApiRouter {
  return new ApiRouter('/v1/templates', 'Templates')
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
        path: '/:id/test',
        summary:
          'Send a saved template once, to one email address or phone number, through a chosen channel: recorded as a test message, in no report, publishing no code',
        params: idParams,
        body: testBody,
        response: testMessageJson,
        errors: { 404: 'No such template, channel account or customer' },
      },
      async ({ params, body }) => toTestMessageJson(await sendTestMessage(ctx, { ...body, template_id: params.id })),
    );
}
