import { z } from 'zod';
import type { Models } from '../models';
import type { DistributionDoc } from '../models/distribution';
import type { MessageStatus } from '../models/distribution-message';

type Counts = Record<MessageStatus, number>;

export interface ChannelReport extends Counts {
  type: string;
  index: number;
  /** Skipped and failed messages by reason, e.g. `{ missing_consent: 3 }`. */
  reasons: Record<string, number>;
}

export interface DistributionReport {
  distribution: { id: string; name: string; status: string; status_reason: string | null };
  recipients_count: number;
  totals: Counts;
  channels: ChannelReport[];
}

interface Group {
  _id: { index: number; type: string; status: MessageStatus; reason?: string | null };
  n: number;
}

const zero = (): Counts => ({ queued: 0, sent: 0, skipped: 0, failed: 0, unknown: 0 });

/** Aggregates a distribution's message records, every run together, per channel and reason. */
export async function distributionReport(models: Models, d: DistributionDoc): Promise<DistributionReport> {
  const [groups, recipients] = await Promise.all([
    models.DistributionMessage.aggregate<Group>([
      { $match: { distribution_id: d._id } },
      {
        $group: {
          _id: { index: '$channel_index', type: '$channel_type', status: '$status', reason: '$reason' },
          n: { $sum: 1 },
        },
      },
    ]),
    d.recipients_count === undefined || d.recipients_count === null
      ? models.DistributionMessage.aggregate<{ _id: null; n: number }>([
          { $match: { distribution_id: d._id } },
          { $group: { _id: '$customer_id' } },
          { $group: { _id: null, n: { $sum: 1 } } },
        ])
      : Promise.resolve([{ _id: null, n: d.recipients_count }]),
  ]);
  // Every configured channel is listed, in order, even before any of its messages exist.
  const channels: ChannelReport[] = d.channels.map((c, index) => ({ type: c.type, index, ...zero(), reasons: {} }));
  const totals = zero();
  for (const g of groups) {
    const { index, type, status, reason } = g._id;
    let channel = channels.find((c) => c.index === index);
    if (!channel) {
      // A channel removed by an edit after messages were recorded for it.
      channel = { type, index, ...zero(), reasons: {} };
      channels.push(channel);
    }
    channel[status] += g.n;
    totals[status] += g.n;
    if (reason) channel.reasons[reason] = (channel.reasons[reason] ?? 0) + g.n;
  }
  channels.sort((a, b) => a.index - b.index);
  return {
    distribution: { id: d._id, name: d.name, status: d.status, status_reason: d.status_reason ?? null },
    recipients_count: recipients[0]?.n ?? 0,
    totals,
    channels,
  };
}

/**
 * The report's totals of each of these distributions, in one aggregation: a list page shows
 * its rows' counts without a report call per row.
 */
export async function distributionTotals(models: Models, ids: string[]): Promise<Map<string, Counts>> {
  const groups = await models.DistributionMessage.aggregate<{
    _id: { distribution: string; status: MessageStatus };
    n: number;
  }>([
    { $match: { distribution_id: { $in: ids } } },
    { $group: { _id: { distribution: '$distribution_id', status: '$status' }, n: { $sum: 1 } } },
  ]);
  const totals = new Map(ids.map((id) => [id, zero()]));
  for (const g of groups) {
    const counts = totals.get(g._id.distribution);
    if (counts) counts[g._id.status] += g.n;
  }
  return totals;
}

const countsJson = {
  queued: z.number(),
  sent: z.number(),
  skipped: z.number(),
  failed: z.number(),
  unknown: z.number().describe('at_most_once channels: provider call may have happened, not sent again'),
};

export const totalsJson = z
  .object(countsJson)
  .describe("Message counts of every run together, by status: the report's `totals`");

export const reportJson = z.object({
  distribution: z.object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    status_reason: z.string().nullable(),
  }),
  recipients_count: z.number(),
  totals: totalsJson,
  channels: z.array(
    z.object({ type: z.string(), index: z.number(), ...countsJson, reasons: z.record(z.string(), z.number()) }),
  ),
});
