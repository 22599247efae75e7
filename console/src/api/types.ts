export interface Session {
  object: 'session';
  app_key: { id: string; role: string };
  expires_at: string;
  temporal_ui: { url: string; namespace: string } | null;
}

export interface ChannelConfig {
  type: string;
  channel_id?: string;
  settings?: Record<string, unknown>;
  /** Inline; or `template_id` names a saved template. */
  template?: { subject?: string; html?: string; text?: string; mjml?: string };
  template_id?: string;
}

export interface Distribution {
  id: string;
  name: string;
  trigger: { type: string; segment_id?: string; campaign_id?: string; follow_campaign_segment?: boolean };
  purpose: { type: 'unique_code'; campaign_id: string } | { type: 'promotion'; promotion_tier_id: string } | { type: 'plain' };
  audience?: { type: 'segment'; segment_id: string } | { type: 'customer'; customer_id: string } | null;
  consents: { verification: boolean; required: string[] };
  channels: ChannelConfig[];
  status: string;
  status_reason: string | null;
  grace_period_seconds: number | null;
  send_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  recipients_count: number | null;
  version: number;
  created_at: string;
  updated_at: string;
  progress?: { status: string; send_at?: string; recipients?: number; batches_total?: number; batches_done: number; status_reason?: string };
}

export interface Counts {
  queued: number;
  sent: number;
  skipped: number;
  failed: number;
  /** At-most-once channels: the provider call may have happened, so it is not sent again. */
  unknown: number;
}

export interface Report {
  distribution: { id: string; name: string; status: string; status_reason: string | null };
  recipients_count: number;
  totals: Counts;
  channels: Array<Counts & { type: string; index: number; reasons: Record<string, number> }>;
}

export interface Message {
  id: string;
  customer_id: string;
  channel_index: number;
  channel_type: string;
  status: string;
  reason: string | null;
  error: string | null;
  voucher_code: string | null;
  sent_at: string | null;
  created_at: string;
}

export interface Segment {
  id: string;
  name: string;
  type: string;
  sync_status?: string;
  size?: number;
  filter?: unknown;
  created_at: string;
}

/** A Voucherify discount as the API returns it on a campaign's voucher or a promotion tier. */
export interface Discount {
  type: 'PERCENT' | 'AMOUNT' | 'FIXED' | 'UNIT';
  percent_off?: number;
  amount_off?: number;
  fixed_amount?: number;
  unit_off?: number;
  unit_type?: string;
}

export interface Campaign {
  id: string;
  name: string;
  campaign_type?: string;
  type?: string;
  vouchers_count?: number;
  vouchers_generation_status?: string;
  validation_rules_assignments?: unknown;
  active?: boolean;
  description?: string | null;
  start_date?: string | null;
  expiration_date?: string | null;
  voucher?: { type?: string; discount?: Discount };
  /** PROMOTION campaigns: their tiers. */
  promotion?: { tiers?: Array<{ id: string; name: string }> };
  created_at: string;
}

export interface Customer {
  id: string;
  source_id?: string | null;
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  metadata?: Record<string, unknown>;
  created_at: string;
}

export interface Consent {
  id: string;
  name: string;
  description?: string | null;
  category?: string | null;
}

export interface ChannelAccount {
  id: string;
  type: string;
  name: string;
  settings?: Record<string, unknown>;
  credential_names?: string[];
}

export interface PromotionTier {
  id: string;
  name: string;
  banner?: string;
  campaign?: { id: string };
}
