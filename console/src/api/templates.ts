import type { EmailBlock, EmailStyle } from '../../../src/templates/blocks';

export type { EmailBlock, EmailStyle };
export type BlockType = EmailBlock['type'];

/** A saved template as GET /v1/templates answers it; exactly one email body (blocks, mjml or html) is set. */
export interface Template {
  id: string;
  object: 'template';
  name: string;
  channel_type: string;
  subject: string | null;
  blocks?: EmailBlock[];
  style?: EmailStyle;
  mjml?: string;
  html?: string;
  text: string | null;
  /** Where the template is used (the distributions naming it by template_id), when the API tells. */
  used_by?: Array<{ id: string; name?: string; status?: string }>;
  created_at: string;
  updated_at: string;
}

/** The body of POST/PUT /v1/templates. */
export interface TemplateBody {
  name: string;
  channel_type: string;
  subject?: string;
  blocks?: EmailBlock[];
  style?: EmailStyle;
  mjml?: string;
  html?: string;
  text?: string;
}

/** One entry of GET /v1/templates/variables. */
export interface TemplateVariable {
  name: string;
  description: string;
  example?: string;
  /** Distribution purposes and triggers that fill it; empty: always available. */
  purposes: string[];
  triggers: string[];
}

export interface Preview {
  channel_type: string;
  subject: string | null;
  html: string | null;
  text: string | null;
}

export interface UploadedImage {
  id: string;
  url: string;
  content_type: string;
  size: number;
}

/** The template fields a body sends: only the one email body the editor's mode holds. */
export function templateFields(b: TemplateBody): Omit<TemplateBody, 'name' | 'channel_type'> {
  const { name: _n, channel_type: _c, ...rest } = b;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}
