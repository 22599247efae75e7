import { z } from 'zod';
import type { TemplateDoc } from '../../models/template';
import type { TemplateUse } from '../../templates/template-service';

/** A template, customer or channel account reference in a body or query. */
export const id = z.string().trim().min(1).max(200);
/** A code to show in a rendered message. */
export const voucherCode = z.string().trim().min(1).max(200);
export const idParams = z.strictObject({ id: z.string().min(1).max(100) });
export const channelType = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .describe('email (or an email provider: sendgrid, mandrill, mailgun), sms, webhook, …');

const usedByJson = z
  .array(z.object({ distribution_id: z.string(), name: z.string(), status: z.string() }))
  .describe('Distributions whose channels name this template, newest first (at most 100)');
export const templateJson = z
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
export function toTemplateJson(t: TemplateDoc, usedBy: TemplateUse[]) {
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
