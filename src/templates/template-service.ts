import type { ChannelRegistry } from '../channels/channel';
import { UNSUBSCRIBE_CHANNELS } from '../consents/channels';
import type { CustomerService } from '../customers/customer-service';
import type { DistributionSettings } from '../distributions/settings';
import { findPage } from '../db/find-page';
import { AppError } from '../http/errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { MessageTemplate } from '../models/distribution';
import type { TemplateDoc } from '../models/template';
import { messageVariables, type VoucherLike } from './message-variables';
import { renderMessage, type RenderedMessage } from './render';
import { isEmailChannel, validateTemplate, type TemplateProblem } from './validate-template';

export interface TemplateInput extends MessageTemplate {
  name: string;
  channel_type: string;
  metadata?: Record<string, unknown>;
}

export type TemplatePatch = Partial<TemplateInput>;

export interface PreviewInput {
  template?: MessageTemplate;
  template_id?: string;
  channel_type?: string;
  customer_id: string;
  voucher_code?: string;
}

/** Made-up code a preview shows when the caller names none: it looks like a code and is obviously not one. */
export const SAMPLE_CODE = 'SAMPLE-CODE';

const BODY_FIELDS = ['html', 'mjml', 'blocks'] as const;
const CONTENT_FIELDS = ['subject', 'text', 'html', 'mjml', 'blocks', 'style'] as const;

export function templateOf(doc: Pick<TemplateDoc, (typeof CONTENT_FIELDS)[number]>): MessageTemplate {
  const t: MessageTemplate = {};
  if (doc.subject != null) t.subject = doc.subject;
  if (doc.text != null) t.text = doc.text;
  if (doc.html != null) t.html = doc.html;
  if (doc.mjml != null) t.mjml = doc.mjml;
  if (doc.blocks != null) t.blocks = doc.blocks;
  if (doc.style != null) t.style = doc.style;
  return t;
}

function invalid(problems: TemplateProblem[], prefix = ''): AppError {
  const errors = problems.map((p) => ({ ...p, field: prefix ? `${prefix}.${p.field}` : p.field }));
  return AppError.badRequest('invalid_template', 'Invalid template', errors.map((p) => `${p.field}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.reason}`).join('; '), { errors });
}

/** Saved templates, and previews that render any template for a customer without sending or writing anything. */
export class TemplateService {
  constructor(
    private readonly models: Models,
    private readonly customers: CustomerService,
    private readonly channels: ChannelRegistry,
    /** Read at each render, so the public URL and link key are the deployment's current ones. */
    private readonly settings: Pick<DistributionSettings, 'publicUrl' | 'linkSigningKey' | 'cockpitTtlSeconds'>,
  ) {}

  async create(input: TemplateInput): Promise<TemplateDoc> {
    const problems = validateTemplate(input.channel_type, templateOf(input), '');
    if (problems.length) throw invalid(problems);
    const doc = await this.models.Template.create({ _id: newId('tmpl'), ...input });
    return doc.toObject();
  }

  async get(id: string): Promise<TemplateDoc> {
    const doc = await this.models.Template.findById(id).lean();
    if (!doc) throw AppError.notFound('template', id);
    return doc;
  }

  async list(options: { page: number; limit: number; channel_type?: string }) {
    const filter = options.channel_type ? { channel_type: options.channel_type } : {};
    return findPage(this.models.Template, filter, { sort: { created_at: -1, _id: -1 }, page: options.page, limit: options.limit });
  }

  /** Fields given replace the stored ones; a new body (html, mjml or blocks) replaces the old one of any kind. */
  async update(id: string, patch: TemplatePatch): Promise<TemplateDoc> {
    const current = await this.get(id);
    const next: TemplateDoc = { ...current };
    if (BODY_FIELDS.some((k) => patch[k] !== undefined)) {
      for (const k of BODY_FIELDS) delete next[k];
      if (patch.blocks === undefined) delete next.style;
    }
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as TemplatePatch;
    Object.assign(next, given);
    const problems = validateTemplate(next.channel_type, templateOf(next), '');
    if (problems.length) throw invalid(problems);
    const unset = Object.fromEntries(CONTENT_FIELDS.filter((k) => next[k] === undefined && current[k] !== undefined).map((k) => [k, 1]));
    const updated = await this.models.Template.findByIdAndUpdate(id, { $set: given, ...(Object.keys(unset).length ? { $unset: unset } : {}) }, { returnDocument: 'after' }).lean();
    if (!updated) throw AppError.notFound('template', id);
    return updated;
  }

  async delete(id: string): Promise<void> {
    const { deletedCount } = await this.models.Template.deleteOne({ _id: id });
    if (!deletedCount) throw AppError.notFound('template', id);
  }

  /**
   * Renders a saved or inline template for a real customer and a sample (or named) code —
   * reads only: nothing is published, sent or recorded.
   */
  async preview(input: PreviewInput): Promise<RenderedMessage & { channel_type: string }> {
    let template: MessageTemplate;
    let channelType: string;
    let name = 'Preview';
    if (input.template_id) {
      const saved = await this.get(input.template_id);
      template = templateOf(saved);
      channelType = input.channel_type ?? saved.channel_type;
      name = saved.name;
    } else if (input.template) {
      template = input.template;
      channelType = input.channel_type ?? 'email';
      const problems = validateTemplate(channelType, template, '');
      if (problems.length) throw invalid(problems, 'template');
    } else {
      throw AppError.badRequest('invalid_payload', 'Invalid request', 'give a template or a template_id', { errors: [{ field: 'template', reason: 'give a template or a template_id' }] });
    }
    const customer = await this.customers.get(input.customer_id);
    const code = input.voucher_code ?? SAMPLE_CODE;
    const voucherDoc = input.voucher_code ? await this.models.Voucher.findOne({ code }).lean() : null;
    const voucher: VoucherLike = voucherDoc ?? { code };
    const campaign = voucherDoc ? await this.models.Campaign.findById(voucherDoc.campaign_id).lean() : null;
    const variables = messageVariables({
      customer,
      distribution: { id: 'preview', name },
      voucher,
      ...(campaign ? { campaign } : {}),
      links: { publicUrl: this.settings.publicUrl, signingKey: this.settings.linkSigningKey, cockpitTtlSeconds: this.settings.cockpitTtlSeconds },
      unsubscribeChannel: this.unsubscribeChannel(channelType),
    });
    try {
      return { channel_type: channelType, ...(await renderMessage(template, variables)) };
    } catch (err) {
      // A saved template that no longer compiles (e.g. after an mjml upgrade): the caller's to fix.
      throw AppError.badRequest('invalid_template', 'Invalid template', err instanceof Error ? err.message : String(err));
    }
  }

  private unsubscribeChannel(channelType: string): string {
    const channel = this.channels.get(channelType);
    if (channel) return channel.unsubscribeKey;
    if (isEmailChannel(channelType)) return 'email';
    return (UNSUBSCRIBE_CHANNELS as readonly string[]).includes(channelType) ? channelType : 'all';
  }
}
