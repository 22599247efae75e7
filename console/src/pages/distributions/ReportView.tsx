import { BarChart } from '@mantine/charts';
import { Stack, Table, Text, Title } from '@mantine/core';
import type { Report } from '../../api/types';

/**
 * The report per channel: sent / skipped / failed / unknown (a provider call that may have
 * happened, on an at-most-once channel) and still queued, with reasons, as a chart and a table.
 */
export function ReportView({ report }: { report: Report }) {
  const rows = report.channels.map((c) => ({ channel: `${c.index + 1}. ${c.type}`, ...c }));
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
          <Table aria-label="Report per channel">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Channel</Table.Th>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Skipped</Table.Th>
                <Table.Th>Failed</Table.Th>
                <Table.Th title="at-most-once channels: the provider call may have happened, so it is not sent again">Unknown</Table.Th>
                <Table.Th>Queued</Table.Th>
                <Table.Th>Reasons</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.index}>
                  <Table.Td>{r.channel}</Table.Td>
                  <Table.Td data-testid={`sent-${r.type}`}>{r.sent}</Table.Td>
                  <Table.Td>{r.skipped}</Table.Td>
                  <Table.Td>{r.failed}</Table.Td>
                  <Table.Td>{r.unknown}</Table.Td>
                  <Table.Td>{r.queued}</Table.Td>
                  <Table.Td>
                    {Object.entries(r.reasons)
                      .map(([reason, n]) => `${reason}: ${n}`)
                      .join(', ') || '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}
