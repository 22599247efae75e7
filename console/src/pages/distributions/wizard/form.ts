import type { ChannelConfig, Distribution } from '../../../api/types';

/** One enabled channel of the wizard's fourth step. */
export interface ChannelValues {
  /** Stable React key: channels can be added and removed in any order. */
  key: string;
  type: string;
  /** A saved provider account (`/v1/channels`); empty for built-in email and webhooks. */
  channel_id: string;
  /** Webhook only. */
  url: string;
  subject: string;
  /** Email bodies are HTML; every other channel takes text. */
  body: string;
  /** A saved template (/v1/templates) sent instead of the subject and body written here; empty: inline. */
  template_id: string;
}

export interface WizardValues {
  trigger: { type: string; segment_id: string; campaign_id: string; follow_campaign_segment: boolean };
  name: string;
  purpose: { type: 'unique_code' | 'promotion' | 'plain'; campaign_id: string; promotion_tier_id: string };
  audience: { type: 'segment' | 'customer'; segment_id: string; customer_id: string };
  /** Manual only; empty means the deployment's default (10 minutes). */
  grace_period_seconds: number | string;
  consents: { verification: boolean; required: string[] };
  channels: ChannelValues[];
}

/** Email-like channels take a subject and an HTML body (README: "Email providers take every body"). */
export const EMAIL_TYPES = new Set(['email', 'sendgrid', 'mandrill', 'mailgun']);

export function isEmail(type: string): boolean {
  return EMAIL_TYPES.has(type);
}

let keys = 0;
export function newChannel(type: string, channel_id = ''): ChannelValues {
  keys += 1;
  return { key: `ch${keys}`, type, channel_id, url: '', template_id: '', subject: isEmail(type) ? 'Your code, {{ customer.name | default: "friend" }}' : '', body: isEmail(type) ? '<p>Hi {{ customer.name | default: "there" }}, your code is <b>{{ voucher.code }}</b>.</p>' : 'Your code: {{ voucher.code }}' };
}

export const initialValues: WizardValues = {
  trigger: { type: 'manual', segment_id: '', campaign_id: '', follow_campaign_segment: false },
  name: '',
  purpose: { type: 'unique_code', campaign_id: '', promotion_tier_id: '' },
  audience: { type: 'segment', segment_id: '', customer_id: '' },
  grace_period_seconds: '',
  consents: { verification: true, required: [] },
  channels: [],
};

export function inlineTemplate(c: ChannelValues): NonNullable<ChannelConfig['template']> {
  return isEmail(c.type) ? { subject: c.subject, html: c.body } : { text: c.body };
}

export function channelToBody(c: ChannelValues): ChannelConfig {
  return {
    type: c.type,
    ...(c.channel_id ? { channel_id: c.channel_id } : {}),
    ...(c.type === 'webhook' ? { settings: { url: c.url } } : {}),
    ...(c.template_id ? { template_id: c.template_id } : { template: inlineTemplate(c) }),
  };
}

/** The scope of a trigger: what narrows which events fire it (src/distributions/triggers.ts). */
export function triggerScope(type: string): 'none' | 'segment' | 'campaign' | 'order' {
  if (type === 'manual') return 'none';
  if (type.startsWith('customer_')) return 'segment';
  if (type.startsWith('order_')) return 'order';
  return 'campaign';
}

/**
 * The API's create body. Empty pickers are sent as they are (empty strings), so the API
 * answers with its own field errors, shown on the step holding each field.
 */
export function toCreateBody(v: WizardValues) {
  const scope = triggerScope(v.trigger.type);
  const trigger = {
    type: v.trigger.type,
    ...(scope === 'segment' && !v.trigger.follow_campaign_segment ? { segment_id: v.trigger.segment_id } : {}),
    ...(scope === 'segment' && v.trigger.follow_campaign_segment ? { follow_campaign_segment: true } : {}),
    ...(scope === 'campaign' && v.trigger.campaign_id ? { campaign_id: v.trigger.campaign_id } : {}),
  };
  const purpose =
    v.purpose.type === 'unique_code' ? { type: 'unique_code', campaign_id: v.purpose.campaign_id } : v.purpose.type === 'promotion' ? { type: 'promotion', promotion_tier_id: v.purpose.promotion_tier_id } : { type: 'plain' };
  const manual = v.trigger.type === 'manual';
  return {
    name: v.name,
    trigger,
    purpose,
    ...(manual ? { audience: audienceBody(v) } : {}),
    consents: v.consents,
    channels: v.channels.map(channelToBody),
    ...(manual && v.grace_period_seconds !== '' ? { grace_period_seconds: Number(v.grace_period_seconds) } : {}),
  };
}

function audienceBody(v: WizardValues) {
  return v.audience.type === 'segment' ? { type: 'segment', segment_id: v.audience.segment_id } : { type: 'customer', customer_id: v.audience.customer_id };
}

/** What PUT takes during the grace period: name, audience, consents and channels. */
export function toEditBody(v: WizardValues) {
  return { name: v.name, audience: audienceBody(v), consents: v.consents, channels: v.channels.map(channelToBody) };
}

/** The wizard's values for an existing distribution (Edit during the grace period). */
export function fromDistribution(d: Distribution): WizardValues {
  return {
    trigger: { type: d.trigger.type, segment_id: d.trigger.segment_id ?? '', campaign_id: d.trigger.campaign_id ?? '', follow_campaign_segment: d.trigger.follow_campaign_segment ?? false },
    name: d.name,
    purpose: {
      type: d.purpose.type,
      campaign_id: d.purpose.type === 'unique_code' ? d.purpose.campaign_id : '',
      promotion_tier_id: d.purpose.type === 'promotion' ? d.purpose.promotion_tier_id : '',
    },
    audience: {
      type: d.audience?.type ?? 'segment',
      segment_id: d.audience?.type === 'segment' ? d.audience.segment_id : '',
      customer_id: d.audience?.type === 'customer' ? d.audience.customer_id : '',
    },
    grace_period_seconds: d.grace_period_seconds ?? '',
    consents: { verification: d.consents.verification, required: d.consents.required },
    channels: d.channels.map((c) => ({
      ...newChannel(c.type, c.channel_id ?? ''),
      url: typeof c.settings?.url === 'string' ? c.settings.url : '',
      template_id: c.template_id ?? '',
      ...(c.template ? { subject: c.template.subject ?? '', body: (isEmail(c.type) ? c.template.html : c.template.text) ?? c.template.text ?? '' } : {}),
    })),
  };
}

/** Which step holds an API field: errors are shown where the marketer can fix them. */
const STEP_FIELDS: string[][] = [['trigger', 'trigger.type'], ['name', 'purpose', 'audience', 'grace_period_seconds', 'trigger.segment_id', 'trigger.campaign_id', 'trigger.follow_campaign_segment'], ['consents'], ['channels']];

function under(field: string, prefix: string): boolean {
  return field === prefix || field.startsWith(`${prefix}.`);
}

/** The trigger's options (segment, campaign) are chosen with the audience, on the conditions step. */
export function stepOfField(field: string): number | undefined {
  if (field.startsWith('trigger.') && field !== 'trigger.type') return 1;
  const i = STEP_FIELDS.findIndex((prefixes) => prefixes.some((p) => under(field, p)));
  return i === -1 ? undefined : i;
}
