import { z } from 'zod';
import { boundedRecord } from '../metadata/metadata-bounds';
import { MJML_MAX_CHARS } from '../templates/mjml';
import { metadataInput } from '../customers/customer-input';
import { blocksInput, emailStyleInput } from '../templates/blocks';
import type { DistributionStatus } from '../models/distribution';
import { TRIGGER_TYPES, type TriggerType } from './triggers';

/** The seed's upper bound on a grace period: one week. */
export const MAX_GRACE_PERIOD_SECONDS = 604_800;

export const DISTRIBUTION_STATUSES = [
  'waiting_for_audience',
  'scheduled',
  'sending',
  'completed',
  'failed',
  'cancelled',
  'stopped',
  'active',
  'paused',
] as const satisfies readonly DistributionStatus[];

const id = z.string().trim().min(1).max(200);

export const triggerInput = z.strictObject({
  type: z.enum(TRIGGER_TYPES as readonly [TriggerType, ...TriggerType[]]),
  segment_id: id.optional().describe('Segment triggers: the segment whose entries / exits fire it'),
  campaign_id: id.optional().describe('Campaign-scoped triggers: only codes of this campaign fire it'),
  follow_campaign_segment: z
    .boolean()
    .optional()
    .describe(
      "Segment triggers with a unique_code purpose: use the segment the campaign's validation rules restrict it to",
    ),
});

export const purposeInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('unique_code'), campaign_id: id }),
  z.strictObject({ type: z.literal('promotion'), promotion_tier_id: id }),
  z.strictObject({ type: z.literal('plain') }),
]);

export const audienceInput = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('segment'), segment_id: id }),
  z.strictObject({ type: z.literal('customer'), customer_id: id.describe('A customer id or source_id') }),
]);

export const consentsInput = z.strictObject({
  verification: z.boolean().default(true).describe('false: consents are not checked (unsubscribes still are)'),
  required: z
    .array(id)
    .max(100)
    .default([])
    .describe('Consent ids (or consent group ids, standing for their members) the customer must have granted'),
});

export const templateInput = z.strictObject({
  subject: z.string().max(1_000).optional(),
  html: z.string().max(500_000).optional(),
  text: z.string().max(100_000).optional(),
  mjml: z.string().max(MJML_MAX_CHARS).optional().describe('Email body as MJML source (instead of html)'),
  blocks: blocksInput.optional().describe("Email body as the message editor's blocks (instead of html)"),
  style: emailStyleInput.optional().describe('Page-level look of a blocks email'),
});

export const channelInput = z.strictObject({
  type: z.string().trim().min(1).max(100).describe('A channel type the deployment offers, e.g. email, webhook'),
  settings: boundedRecord(z.string(), 'settings')
    .optional()
    .describe("Non-secret channel options, e.g. a webhook's url"),
  template: templateInput.optional().describe('The message (or give template_id)'),
  template_id: id
    .optional()
    .describe(
      'A saved template (/v1/templates) instead of an inline one: checked like one when saved, its content copied into `template` on every save and, for a manual distribution, again when sending starts',
    ),
  channel_id: id
    .optional()
    .describe(
      'The provider account (/v1/channels) to send through: required by provider types (sendgrid, twilio, …), refused by email and webhook',
    ),
  delivery: z
    .enum(['at_least_once', 'at_most_once'])
    .optional()
    .describe(
      'at_least_once (default): a message whose provider call may have happened before a worker crash is sent again; at_most_once: it is recorded `unknown` and never sent again (e.g. SMS)',
    ),
});

const nameInput = z.string().trim().min(1, 'a name is required').max(200);
const channelsInput = z.array(channelInput).min(1, 'at least one channel is required').max(20);

export const createDistributionBody = z.strictObject({
  name: nameInput,
  trigger: triggerInput,
  purpose: purposeInput,
  audience: audienceInput
    .optional()
    .describe('Manual distributions only; automatic ones reach the customer the event concerns'),
  consents: consentsInput.default({ verification: true, required: [] }),
  channels: channelsInput,
  grace_period_seconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_GRACE_PERIOD_SECONDS)
    .optional()
    .describe("Manual only: seconds before sending; the deployment's default when omitted"),
  notify_emails: z
    .array(z.email().max(320))
    .max(10)
    .optional()
    .describe('Manual only: who is emailed besides OPERATOR_EMAIL when it stops (its STATIC pool ran out)'),
  metadata: metadataInput.optional(),
});

/** What PUT takes (the workflow's `DistributionEdit`): each field given replaces the stored one. */
export const editDistributionBody = z.strictObject({
  name: nameInput.optional(),
  audience: audienceInput.optional(),
  consents: consentsInput.optional(),
  channels: channelsInput.optional(),
});

export type CreateDistributionInput = z.infer<typeof createDistributionBody>;
export type EditDistributionInput = z.infer<typeof editDistributionBody>;

export const listDistributionsFilter = {
  status: z.enum(DISTRIBUTION_STATUSES).optional(),
  trigger: z.enum(TRIGGER_TYPES as readonly [TriggerType, ...TriggerType[]]).optional(),
};

export const listMessagesFilter = {
  status: z.enum(['queued', 'sent', 'skipped', 'failed']).optional(),
  customer_id: id.optional(),
  channel_type: z.string().trim().min(1).max(100).optional(),
};
