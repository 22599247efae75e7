import { Anchor, Group, Pagination, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { get, type List } from '../../api/client';
import type { Distribution, Report } from '../../api/types';
import { QueryState } from '../../components/errors';
import { StatusBadge } from '../../components/StatusBadge';
import { PageHeader } from '../../components/PageHeader';
import { formatDate, PURPOSES, STATUSES, TRIGGERS, triggerLabel } from './labels';

const PAGE_SIZE = 20;

/** Sent / skipped / failed of one row: one small report call per row of the page shown. */
function SentCounts({ id }: { id: string }) {
  const { data } = useQuery({ queryKey: ['distribution', id, 'report'], queryFn: () => get<Report>(`/v1/distributions/${id}/report`), staleTime: 10_000 });
  if (!data) return <Text c="dimmed">…</Text>;
  return (
    <Text size="sm" title={`${data.totals.skipped} skipped, ${data.totals.failed} failed`}>
      {data.totals.sent} sent{data.totals.failed ? ` · ${data.totals.failed} failed` : ''}
    </Text>
  );
}

export function DistributionList() {
  const [status, setStatus] = useState<string | null>(null);
  const [trigger, setTrigger] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [name] = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: ['distributions', { status, trigger, name, page }],
    queryFn: () => get<List<Distribution>>('/v1/distributions', { status, trigger, name, page, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    refetchInterval: 5000,
  });
  const rows = query.data?.data ?? [];
  const pages = Math.max(1, Math.ceil((query.data?.total ?? 0) / PAGE_SIZE));
  return (
    <Stack>
      <PageHeader title="Distributions" action={{ to: '/distributions/new', label: 'New distribution', icon: <IconPlus size={16} /> }} />
      <Group align="flex-end">
        <TextInput label="Search by name" leftSection={<IconSearch size={16} />} value={search} onChange={(e) => { setSearch(e.currentTarget.value); setPage(1); }} w={260} />
        <Select label="Status" placeholder="Any status" clearable data={STATUSES.map((s) => ({ value: s.value, label: s.label }))} value={status} onChange={(v) => { setStatus(v); setPage(1); }} w={200} />
        <Select label="Trigger" placeholder="Any trigger" clearable data={TRIGGERS.map((t) => ({ value: t.value, label: triggerLabel(t.value) }))} value={trigger} onChange={(v) => { setTrigger(v); setPage(1); }} w={240} />
      </Group>
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        {rows.length === 0 ? (
          <Text c="dimmed" py="xl" ta="center">
            {status || trigger || name ? 'No distribution matches these filters.' : 'No distribution yet. Create one with “New distribution”.'}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover aria-label="Distributions">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Trigger</Table.Th>
                  <Table.Th>Purpose</Table.Th>
                  <Table.Th>Channels</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Scheduled</Table.Th>
                  <Table.Th>Sent</Table.Th>
                  <Table.Th>Messages</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/distributions/${d.id}`}>
                        {d.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{triggerLabel(d.trigger.type)}</Table.Td>
                    <Table.Td>{PURPOSES[d.purpose.type] ?? d.purpose.type}</Table.Td>
                    <Table.Td>{d.channels.map((c) => c.type).join(', ')}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={d.status} />
                    </Table.Td>
                    <Table.Td>{formatDate(d.created_at)}</Table.Td>
                    <Table.Td>{formatDate(d.send_at)}</Table.Td>
                    <Table.Td>{formatDate(d.completed_at ?? d.started_at)}</Table.Td>
                    <Table.Td>
                      <SentCounts id={d.id} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} aria-label="Pages" getControlProps={(c) => ({ 'aria-label': c === 'next' ? 'Next page' : c === 'previous' ? 'Previous page' : c })} />}
      </QueryState>
    </Stack>
  );
}
