import type { ChannelRegistry } from '../channels/channel';
import { UNSUBSCRIBE_CHANNELS } from '../consents/channels';
import type { CustomerService } from '../customers/customer-service';
import type { DistributionSettings } from '../distributions/settings';
import { EDITABLE } from '../distributions/statuses';
import { variableScope } from '../distributions/variable-scope';
import type { CustomerDoc } from '../models/customer';
import { findPage } from '../db/find-page';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import { FINAL_DISTRIBUTION_STATUSES, type DistributionStatus, type MessageTemplate } from '../models/distribution';
import type { TemplateDoc } from '../models/template';
import { messageVariables, type VoucherLike } from './message-variables';
import { CONTENT_FIELDS, savedTemplateProblems, templateOf } from './saved-template';
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

function invalid(problems: TemplateProblem[], prefix = ''): DomainError {
  const errors = problems.map((p) => ({ ...p, field: prefix ? `${prefix}.${p.field}` : p.field }));
  return DomainError.invalid(
    'invalid_template',
    'Invalid template',
    errors.map((p) => `${p.field}${p.line !== undefined ? ` (line ${p.line})` : ''}: ${p.reason}`).join('; '),
    { errors },
  );
}

/** Where a saved template is used. */
export interface TemplateUse {
  distribution_id: string;
  name: string;
  status: DistributionStatus;
}

/** Distributions listed per template in `used_by`, newest first. */
const USED_BY_LIMIT = 100;

/** A template, resolved for rendering: its content, the channel type it renders for, a name for `distribution.name`. */
export interface ResolvedTemplate {
  template: MessageTemplate;
  channelType: string;
  name: string;
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
    const doc = await this.models.Template.create({ _id: newId('tmpl'), ...input, version: 1 });
    return doc.toObject();
  }

  async get(id: string): Promise<TemplateDoc> {
    const doc = await this.models.Template.findById(id).lean();
    if (!doc) throw DomainError.notFound('template', id);
    return doc;
  }

  async list(options: { page: number; limit: number; channel_type?: string }) {
    const filter = options.channel_type ? { channel_type: options.channel_type } : {};
    return findPage(this.models.Template, filter, {
      sort: { created_at: -1, _id: -1 },
      page: options.page,
      limit: options.limit,
    });
  }

  /**
   * Fields given replace the stored ones; a new body (html, mjml or blocks) replaces the old one
   * of any kind. The result must still fit every distribution that retakes it (a scheduled
   * manual one, an active or paused automatic one): a variable one of them cannot fill is a 400
   * naming it, as it would be on the distribution's own save.
   */
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
    await this.checkUsers(next);
    const unset = Object.fromEntries(
      CONTENT_FIELDS.filter((k) => next[k] === undefined && current[k] !== undefined).map((k) => [k, 1]),
    );
    const updated = await this.models.Template.findByIdAndUpdate(
      id,
      { $set: given, $inc: { version: 1 }, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw DomainError.notFound('template', id);
    return updated;
  }

  /** Refused (409) while a distribution that may still send names it: it could not be pinned again. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    const user = await this.models.Distribution.findOne(
      { 'channels.template_id': id, status: { $nin: [...FINAL_DISTRIBUTION_STATUSES] } },
      { _id: 1, name: 1, status: 1 },
    ).lean();
    if (user) {
      throw DomainError.conflict(
        'template_in_use',
        'Template in use',
        `distribution ${user._id} ("${user.name}", ${user.status}) uses template ${id}: cancel it, or point its channel at another template, first`,
      );
    }
    // A distribution saved between the check and the delete keeps the copy it was saved with (src/distributions/template-pin.ts).
    const { deletedCount } = await this.models.Template.deleteOne({ _id: id });
    if (!deletedCount) throw DomainError.notFound('template', id);
  }

  /** The distributions that name each template, newest first, at most USED_BY_LIMIT each. */
  async usedBy(ids: readonly string[]): Promise<Map<string, TemplateUse[]>> {
    const uses = new Map<string, TemplateUse[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return uses;
    const docs = await this.models.Distribution.find(
      { 'channels.template_id': { $in: [...ids] } },
      { _id: 1, name: 1, status: 1, channels: 1 },
    )
      .sort({ created_at: -1, _id: -1 })
      .lean();
    for (const d of docs) {
      for (const templateId of new Set(d.channels.flatMap((c) => (c.template_id ? [c.template_id] : [])))) {
        const list = uses.get(templateId);
        if (list && list.length < USED_BY_LIMIT) list.push({ distribution_id: d._id, name: d.name, status: d.status });
      }
    }
    return uses;
  }

  /**
   * Renders a saved or inline template for a real customer and a sample (or named) code —
   * reads only: nothing is published, sent or recorded.
   */
  async preview(input: PreviewInput): Promise<RenderedMessage & { channel_type: string }> {
    const resolved = await this.resolve(input);
    const customer = await this.customers.get(input.customer_id);
    return {
      channel_type: resolved.channelType,
      ...(await this.render(resolved, customer, input.voucher_code)).rendered,
    };
  }

  /** A saved template (by id) or an inline one, checked for its channel type (default: the saved one's, else email). */
  async resolve(input: {
    template?: MessageTemplate | undefined;
    template_id?: string | undefined;
    channel_type?: string | undefined;
  }): Promise<ResolvedTemplate> {
    if (input.template_id) {
      const saved = await this.get(input.template_id);
      return { template: templateOf(saved), channelType: input.channel_type ?? saved.channel_type, name: saved.name };
    }
    if (input.template) {
      const channelType = input.channel_type ?? 'email';
      const problems = validateTemplate(channelType, input.template, '');
      if (problems.length) throw invalid(problems, 'template');
      return { template: input.template, channelType, name: 'Preview' };
    }
    throw DomainError.invalid('invalid_payload', 'Invalid request', 'give a template or a template_id', {
      errors: [{ field: 'template', reason: 'give a template or a template_id' }],
    });
  }

  /** The message for a customer and a code (an existing one brings its voucher and campaign; default SAMPLE-CODE), with the variables it was rendered from. */
  async render(
    resolved: ResolvedTemplate,
    customer: CustomerDoc,
    voucherCode: string | undefined,
  ): Promise<{ rendered: RenderedMessage; variables: Record<string, unknown> }> {
    const code = voucherCode ?? SAMPLE_CODE;
    const voucherDoc = voucherCode ? await this.models.Voucher.findOne({ code }).lean() : null;
    const voucher: VoucherLike = voucherDoc ?? { code };
    const campaign = voucherDoc ? await this.models.Campaign.findById(voucherDoc.campaign_id).lean() : null;
    const variables = messageVariables({
      customer,
      distribution: { id: 'preview', name: resolved.name },
      voucher,
      ...(campaign ? { campaign } : {}),
      links: {
        publicUrl: this.settings.publicUrl,
        signingKey: this.settings.linkSigningKey,
        cockpitTtlSeconds: this.settings.cockpitTtlSeconds,
      },
      unsubscribeChannel: this.unsubscribeChannel(resolved.channelType),
    });
    try {
      return { rendered: await renderMessage(resolved.template, variables), variables };
    } catch (err) {
      // A saved template that no longer compiles (e.g. after an mjml upgrade): the caller's to fix.
      throw DomainError.invalid(
        'invalid_template',
        'Invalid template',
        err instanceof Error ? err.message : String(err),
      );
    }
  }

  /** A template edit that a distribution retaking it could not send is refused, naming the distribution. */
  private async checkUsers(next: TemplateDoc): Promise<void> {
    const users = await this.models.Distribution.find(
      // The distributions that still retake their templates: a template edit must keep fitting them.
      { 'channels.template_id': next._id, status: { $in: [...EDITABLE] } },
      { _id: 1, name: 1, trigger: 1, purpose: 1, channels: 1 },
    ).lean();
    const problems: TemplateProblem[] = [];
    for (const d of users) {
      const scope = variableScope(d.trigger, d.purpose);
      for (const c of d.channels) {
        if (c.template_id !== next._id) continue;
        for (const p of savedTemplateProblems(next, c.type, scope))
          problems.push({
            ...p,
            reason: `distribution ${d._id} ("${d.name}", ${c.type} channel) uses this template: ${p.reason}`,
          });
      }
    }
    if (problems.length) throw invalid(problems);
  }

  private unsubscribeChannel(channelType: string): string {
    const channel = this.channels.get(channelType);
    if (channel) return channel.unsubscribeKey;
    if (isEmailChannel(channelType)) return 'email';
    return (UNSUBSCRIBE_CHANNELS as readonly string[]).includes(channelType) ? channelType : 'all';
  }
}
