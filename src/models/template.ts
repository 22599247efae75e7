import { Schema, type Connection, type Model } from 'mongoose';
import type { EmailBlock, EmailStyle } from '../templates/blocks';

/**
 * A saved message template (`/v1/templates`): named, for one channel type, validated like a
 * distribution's template when saved, so distributions and previews can start from it.
 */
const templateSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    channel_type: { type: String, required: true },
    subject: String,
    html: String,
    text: String,
    mjml: String,
    blocks: { type: [Schema.Types.Mixed], default: undefined },
    style: { type: Schema.Types.Mixed },
    metadata: { type: Schema.Types.Mixed },
    /** Bumped by every edit: a distribution records the version it pinned (`channels.N.template_version`). */
    version: { type: Number, default: 1 },
  },
  {
    collection: 'templates',
    versionKey: false,
    minimize: false,
    timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
  },
);
templateSchema.index({ created_at: -1, _id: -1 });

export interface TemplateDoc {
  _id: string;
  name: string;
  channel_type: string;
  subject?: string;
  html?: string;
  text?: string;
  mjml?: string;
  blocks?: EmailBlock[];
  style?: EmailStyle;
  metadata?: Record<string, unknown>;
  /** Absent on templates saved before versions were kept: read as 1. */
  version?: number;
  created_at: Date;
  updated_at: Date;
}

export type TemplateModel = Model<TemplateDoc>;

export function templateModel(db: Connection): TemplateModel {
  return (db.models.Template as TemplateModel | undefined) ?? db.model<TemplateDoc>('Template', templateSchema);
}
