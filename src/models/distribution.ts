import { Schema, type Connection, type Model } from 'mongoose';
import type { TriggerType } from '../../workflows/contracts/triggers';
import type { EmailBlock, EmailStyle } from '../templates/blocks';

/**
 * A distribution: who gets which message, when, on which channels. Each has a workflow
 * `distribution-<id>`: a manual one's sends it once; an automatic one's owns its lifecycle,
 * while each matching event is delivered inline or by `delivery-<id>-<event>`.
 */
const distributionSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    trigger: { type: Schema.Types.Mixed, required: true },
    purpose: { type: Schema.Types.Mixed, required: true },
    audience: { type: Schema.Types.Mixed, required: true },
    consents: { type: Schema.Types.Mixed, required: true },
    channels: { type: [Schema.Types.Mixed], required: true },
    status: { type: String, required: true },
    /** Why it stopped, failed or was cancelled (e.g. `pool_exhausted`). */
    status_reason: String,
    /** Manual only: seconds between creation (or the audience being synced) and sending. */
    grace_period_seconds: Number,
    /** Manual only: when the grace period ends; unset while waiting for the audience to sync. */
    send_at: Date,
    started_at: Date,
    completed_at: Date,
    /** Manual only: recipients in the audience snapshot, once taken. */
    recipients_count: Number,
    /**
     * Manual only: set by the API's cancel before it signals the workflow, so batches in flight
     * stop at their next group of sends instead of running to their end.
     */
    cancel_requested_at: Date,
    /** Manual only: who is told besides OPERATOR_EMAIL when it stops (e.g. its pool ran out). */
    notify_emails: { type: [String], default: undefined },
    /** When the operator notice of its stop was accepted by the mail server. */
    operator_notified_at: Date,
    metadata: { type: Schema.Types.Mixed, default: {} },
    /** Bumped by every edit; edits are conditional on it. */
    version: { type: Number, default: 1 },
  },
  {
    collection: 'distributions',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
distributionSchema.index({ 'trigger.type': 1, status: 1 });

export { FINAL_DISTRIBUTION_STATUSES, type DistributionStatus } from '../../workflows/contracts/statuses';
import type { DistributionStatus } from '../../workflows/contracts/statuses';

export interface DistributionTrigger {
  type: TriggerType;
  /** Segment triggers: the segment whose entries / exits fire it. */
  segment_id?: string;
  /** Campaign-scoped triggers (voucher events, publication): only codes of this campaign fire it. */
  campaign_id?: string;
  /**
   * Segment triggers with a unique-code purpose: the segment is the one the campaign's
   * validation rules restrict it to (resolved into `segment_id` when saved).
   */
  follow_campaign_segment?: boolean;
}

export type DistributionPurpose =
  | { type: 'unique_code'; campaign_id: string }
  | { type: 'promotion'; promotion_tier_id: string }
  | { type: 'plain' };

export type DistributionAudience =
  | { type: 'segment'; segment_id: string }
  | { type: 'customer'; customer_id: string }
  /** Automatic distributions: the customer the event concerns. */
  | { type: 'trigger' };

export interface DistributionConsents {
  /** `false` is the seed's "verification off": consents are not checked (unsubscribes still are). */
  verification: boolean;
  /** Consent ids the customer must have granted, all of them. */
  required: string[];
}

export interface MessageTemplate {
  /** Email subject. */
  subject?: string;
  /** Email body as HTML. */
  html?: string;
  /** Email body as MJML source (compiled to HTML); takes the place of `html`. */
  mjml?: string;
  /** Email body as the message editor's blocks (compiled to MJML, then HTML); takes the place of `html`. */
  blocks?: EmailBlock[];
  /** Page-level look of a `blocks` email: background and content colours, border, font, width. */
  style?: EmailStyle;
  /** SMS body, email plain-text part, or the webhook's `message`. */
  text?: string;
}

export interface DistributionChannel {
  /** A channel type from the registry: `email`, `webhook`, … */
  type: string;
  /** Non-secret channel options, e.g. a webhook's `url`. */
  settings: Record<string, unknown>;
  /**
   * What is sent. With `template_id`, a copy of that saved template's content, taken when the
   * distribution is saved and again when a manual one starts sending (see src/distributions/template-pin.ts).
   */
  template: MessageTemplate;
  /** The saved template (`/v1/templates`) the content is copied from, when the channel names one. */
  template_id?: string;
  /** The version of that template `template` was copied from. */
  template_version?: number;
  /** The provider account (`/v1/channels`) it sends through: set exactly for types whose adapter takes one. */
  channel_id?: string;
  /**
   * `at_least_once` (default): a message whose provider call may have happened before a crash
   * is sent again. `at_most_once`: it is recorded `unknown` instead and never sent again.
   */
  delivery?: 'at_least_once' | 'at_most_once';
}

export interface DistributionDoc {
  _id: string;
  name: string;
  trigger: DistributionTrigger;
  purpose: DistributionPurpose;
  audience: DistributionAudience;
  consents: DistributionConsents;
  channels: DistributionChannel[];
  status: DistributionStatus;
  status_reason?: string;
  grace_period_seconds?: number;
  send_at?: Date;
  started_at?: Date;
  completed_at?: Date;
  recipients_count?: number;
  cancel_requested_at?: Date;
  notify_emails?: string[];
  operator_notified_at?: Date;
  metadata: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export type DistributionModel = Model<DistributionDoc>;

export function distributionModel(db: Connection): DistributionModel {
  return (
    (db.models.Distribution as DistributionModel | undefined) ??
    db.model<DistributionDoc>('Distribution', distributionSchema)
  );
}
