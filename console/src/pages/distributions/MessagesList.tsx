import { Badge, Group, Pagination, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, type List } from '../../api/client';
import type { Distribution, Message } from '../../api/types';
import { QueryState } from '../../components/errors';
import { formatDate } from './labels';

const PAGE_SIZE = 20;
const COLORS: Record<string, string> = { sent: 'green', skipped: 'yellow', failed: 'red', queued: 'gray' };

export function MessagesList({ distribution, live }: { distribution: Distribution; live: boolean }) {
  const [status, setStatus] = useState<string | null>(null);
  const [channel, setChannel] = useState<string | null>(null);
  const [customer, setCustomer] = useState('');
  const [customerId] = useDebouncedValue(customer.trim(), 300);
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: ['distribution', distribution.id, 'messages', distribution.status, { status, channel, customerId, page }],
    queryFn: () => get<List<Message>>(`/v1/distributions/${distribution.id}/messages`, { status, channel_type: channel, customer_id: customerId, page, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2000 : false,
  });
  const types = [...new Set(distribution.channels.map((c) => c.type))];
  const pages = Math.max(1, Math.ceil((query.data?.total ?? 0) / PAGE_SIZE));
  return (
    <Stack>
      <Title order={3}>Messages</Title>
      <Group align="flex-end">
        <Select label="Status" placeholder="Any" clearable data={['queued', 'sent', 'skipped', 'failed']} value={status} onChange={(v) => { setStatus(v); setPage(1); }} w={160} />
        <Select label="Channel" placeholder="Any" clearable data={types} value={channel} onChange={(v) => { setChannel(v); setPage(1); }} w={180} />
        <TextInput label="Customer id" value={customer} onChange={(e) => { setCustomer(e.currentTarget.value); setPage(1); }} w={240} />
      </Group>
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        {(query.data?.data.length ?? 0) === 0 ? (
          <Text c="dimmed">No message{status || channel || customerId ? ' matches these filters' : ' yet'}.</Text>
        ) : (
          <Table.ScrollContainer minWidth={800}>
            <Table striped aria-label="Messages">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Customer</Table.Th>
                  <Table.Th>Channel</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Reason</Table.Th>
                  <Table.Th>Code</Table.Th>
                  <Table.Th>Sent</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {query.data?.data.map((m) => (
                  <Table.Tr key={m.id}>
                    <Table.Td ff="monospace">{m.customer_id}</Table.Td>
                    <Table.Td>{m.channel_type}</Table.Td>
                    <Table.Td>
                      <Badge color={COLORS[m.status] ?? 'gray'} variant="light">
                        {m.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{m.reason ?? m.error ?? '—'}</Table.Td>
                    <Table.Td ff="monospace" data-testid="message-code">
                      {m.voucher_code ?? '—'}
                    </Table.Td>
                    <Table.Td>{formatDate(m.sent_at)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} />}
      </QueryState>
    </Stack>
  );
}
