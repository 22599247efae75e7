import { BarChart } from '@mantine/charts';
import { Stack, Text, Title } from '@mantine/core';
import type { Report } from '../../api/types';
import { DataTable } from '../../components/DataTable';

/**
 * The report per channel: sent / skipped / failed / unknown (a provider call that may have
 * happened, on an at-most-once channel) and still queued, with reasons, as a chart and a table.
 */
export function ReportView({ report }: { report: Report }) {
  const rows = report.channels.map((c) => ({ id: String(c.index), channel: `${c.index + 1}. ${c.type}`, ...c }));
  return (
    <Stack>
      <Title order={3}>Report</Title>
      <Text size="sm">
        {report.recipients_count} {report.recipients_count === 1 ? 'recipient' : 'recipients'} · {report.totals.sent} sent · {report.totals.skipped} skipped · {report.totals.failed} failed
        {report.totals.unknown ? ` · ${report.totals.unknown} unknown` : ''}
        {report.totals.queued ? ` · ${report.totals.queued} queued` : ''}
      </Text>
      {rows.length > 0 && (
        <>
          <BarChart
            h={Math.max(120, rows.length * 60)}
            data={rows}
            dataKey="channel"
            orientation="vertical"
            type="stacked"
            yAxisProps={{ width: 110 }}
            series={[
              { name: 'sent', color: 'green.6' },
              { name: 'skipped', color: 'yellow.6' },
              { name: 'failed', color: 'red.6' },
              { name: 'unknown', color: 'orange.6' },
              { name: 'queued', color: 'gray.5' },
            ]}
            aria-label="Messages per channel"
          />
          <DataTable
            label="Report per channel"
            rows={rows}
            empty=""
            columns={[
              { header: 'Channel', cell: (r) => r.channel },
              { header: 'Sent', cell: (r) => r.sent, td: (r) => ({ 'data-testid': `sent-${r.type}` }) },
              { header: 'Skipped', cell: (r) => r.skipped },
              { header: 'Failed', cell: (r) => r.failed },
              { header: 'Unknown', cell: (r) => r.unknown, th: { title: 'at-most-once channels: the provider call may have happened, so it is not sent again' } },
              { header: 'Queued', cell: (r) => r.queued },
              {
                header: 'Reasons',
                cell: (r) =>
                  Object.entries(r.reasons)
                    .map(([reason, n]) => `${reason}: ${n}`)
                    .join(', ') || '—',
              },
            ]}
          />
        </>
      )}
    </Stack>
  );
}
