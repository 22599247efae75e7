import { Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import type { Counts, Distribution } from '../../api/types';
import { linkColumn, type Column } from '../../components/DataTable';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageHeader } from '../../components/PageHeader';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDate, PURPOSES, STATUSES, TRIGGERS, triggerLabel } from './labels';

type Row = Distribution & { totals: Counts };

/** Sent and failed of one row, from the list's own `totals`: no report call per row. */
function SentCounts({ totals }: { totals: Counts }) {
  return (
    <Text size="sm" title={`${totals.skipped} skipped, ${totals.failed} failed`} data-testid="list-totals">
      {totals.sent} sent{totals.failed ? ` · ${totals.failed} failed` : ''}
    </Text>
  );
}

const columns: Array<Column<Row>> = [
  linkColumn('Name', (d) => `/distributions/${d.id}`, (d) => d.name),
  { header: 'Trigger', cell: (d) => triggerLabel(d.trigger.type) },
  { header: 'Purpose', cell: (d) => PURPOSES[d.purpose.type] ?? d.purpose.type },
  { header: 'Channels', cell: (d) => d.channels.map((c) => c.type).join(', ') },
  { header: 'Status', cell: (d) => <StatusBadge status={d.status} /> },
  { header: 'Created', cell: (d) => formatDate(d.created_at) },
  { header: 'Scheduled', cell: (d) => formatDate(d.send_at) },
  { header: 'Sent', cell: (d) => formatDate(d.completed_at ?? d.started_at) },
  { header: 'Messages', cell: (d) => <SentCounts totals={d.totals} /> },
];

export function DistributionList() {
  const [status, setStatus] = useState<string | null>(null);
  const [trigger, setTrigger] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [name] = useDebouncedValue(search.trim(), 300);
  const list = usePagedList<Row>(['distributions'], '/v1/distributions', { status, trigger, name }, 5000);
  return (
    <Stack>
      <PageHeader title="Distributions" action={{ to: '/distributions/new', label: 'New distribution', icon: <IconPlus size={16} /> }} />
      <Group align="flex-end">
        <TextInput label="Search by name" leftSection={<IconSearch size={16} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={260} />
        <Select label="Status" placeholder="Any status" clearable data={STATUSES.map((s) => ({ value: s.value, label: s.label }))} value={status} onChange={setStatus} w={200} />
        <Select label="Trigger" placeholder="Any trigger" clearable data={TRIGGERS.map((t) => ({ value: t.value, label: triggerLabel(t.value) }))} value={trigger} onChange={setTrigger} w={240} />
      </Group>
      <PagedTable
        list={list}
        label="Distributions"
        columns={columns}
        minWidth={900}
        empty={status || trigger || name ? 'No distribution matches these filters.' : 'No distribution yet. Create one with “New distribution”.'}
      />
    </Stack>
  );
}
