import type { DistributionChannel, MessageTemplate } from '../models/distribution';
import type { TemplateDoc } from '../models/template';
import { channelFamily, validateTemplate, type TemplateProblem, type VariableScope } from './validate-template';

export const CONTENT_FIELDS = ['subject', 'text', 'html', 'mjml', 'blocks', 'style'] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];

/** The message a saved template holds, without its name, type and bookkeeping. */
export function templateOf(doc: Pick<TemplateDoc, ContentField>): MessageTemplate {
  const t: MessageTemplate = {};
  if (doc.subject != null) t.subject = doc.subject;
  if (doc.text != null) t.text = doc.text;
  if (doc.html != null) t.html = doc.html;
  if (doc.mjml != null) t.mjml = doc.mjml;
  if (doc.blocks != null) t.blocks = doc.blocks;
  if (doc.style != null) t.style = doc.style;
  return t;
}

/**
 * Why a saved template cannot be sent on a channel of a distribution with this scope: another
 * kind of channel, or content the channel or the distribution's variables refuse. Empty: it can.
 */
export function savedTemplateProblems(
  t: Pick<TemplateDoc, '_id' | 'channel_type' | ContentField>,
  channelType: string,
  scope: VariableScope,
): TemplateProblem[] {
  if (channelFamily(t.channel_type) !== channelFamily(channelType)) {
    return [
      {
        field: '',
        reason: `template ${t._id} is a ${t.channel_type} template: a ${channelType} channel cannot send it`,
      },
    ];
  }
  return validateTemplate(channelType, templateOf(t), '', scope);
}

/** What a channel that names a saved template stores of it: a copy of its content, and which version that is. */
export function pinnedCopy(
  t: Pick<TemplateDoc, '_id' | 'version' | ContentField>,
): Pick<DistributionChannel, 'template' | 'template_id' | 'template_version'> {
  return { template: templateOf(t), template_id: t._id, template_version: t.version ?? 1 };
}
