import { z } from 'zod';
import type { DistributionDoc } from '../models/distribution';
import type { DistributionMessageDoc } from '../models/distribution-message';
import type { DistributionProgress } from '../../workflows/contracts/distribution';

const iso = (d: Date | undefined): string | null => (d ? new Date(d).toISOString() : null);

export function toDistributionJson(d: DistributionDoc, progress?: DistributionProgress) {
  return {
    id: d._id,
    object: 'distribution' as const,
    name: d.name,
    trigger: d.trigger,
    purpose: d.purpose,
    audience: d.audience,
    consents: d.consents,
    channels: d.channels,
    status: d.status,
    status_reason: d.status_reason ?? null,
    grace_period_seconds: d.grace_period_seconds ?? null,
    send_at: iso(d.send_at),
    started_at: iso(d.started_at),
    completed_at: iso(d.completed_at),
    recipients_count: d.recipients_count ?? null,
    notify_emails: d.notify_emails ?? [],
    metadata: d.metadata ?? {},
    version: d.version,
    created_at: iso(d.created_at),
    updated_at: iso(d.updated_at),
    ...(progress ? { progress } : {}),
  };
}

export const distributionJson = z
  .object({
    id: z.string(),
    object: z.literal('distribution'),
    name: z.string(),
    trigger: z.object({ type: z.string() }).catchall(z.unknown()),
    status: z.string(),
    version: z.number(),
    progress: z
      .object({ status: z.string(), batches_done: z.number() })
      .catchall(z.unknown())
      .optional()
      .describe('Running manual distributions: what the workflow reports'),
  })
  .catchall(z.unknown());

export function toMessageJson(m: DistributionMessageDoc) {
  return {
    id: m._id,
    object: 'distribution_message' as const,
    distribution_id: m.distribution_id,
    run: m.run,
    customer_id: m.customer_id,
    channel_index: m.channel_index,
    channel_type: m.channel_type,
    status: m.status,
    reason: m.reason ?? null,
    error: m.error ?? null,
    provider_message_id: m.provider_message_id ?? null,
    voucher_code: m.voucher_code ?? null,
    publication_id: m.publication_id ?? null,
    attempts: m.attempts ?? 0,
    sent_at: iso(m.sent_at),
    created_at: iso(m.created_at),
    updated_at: iso(m.updated_at),
  };
}

export const messageJson = z
  .object({ id: z.string(), object: z.literal('distribution_message'), status: z.string() })
  .catchall(z.unknown());
