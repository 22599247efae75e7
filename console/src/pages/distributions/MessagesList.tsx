import { Badge, Group, Select, Stack, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { Distribution, Message } from '../../api/types';
import type { Column } from '../../components/DataTable';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { formatDate } from './labels';

const COLORS: Record<string, string> = { sent: 'green', skipped: 'yellow', failed: 'red', queued: 'gray' };

const columns: Array<Column<Message>> = [
  { header: 'Customer', cell: (m) => m.customer_id, td: { ff: 'monospace' } },
  { header: 'Channel', cell: (m) => m.channel_type },
  {
    header: 'Status',
    cell: (m) => (
      <Badge color={COLORS[m.status] ?? 'gray'} variant="light">
        {m.status}
      </Badge>
    ),
  },
  { header: 'Reason', cell: (m) => m.reason ?? m.error ?? '—' },
  { header: 'Code', cell: (m) => m.voucher_code ?? '—', td: { ff: 'monospace', 'data-testid': 'message-code' } },
  { header: 'Sent', cell: (m) => formatDate(m.sent_at) },
];

export function MessagesList({ distribution, live }: { distribution: Distribution; live: boolean }) {
  const [status, setStatus] = useState<string | null>(null);
  const [channel, setChannel] = useState<string | null>(null);
  const [customer, setCustomer] = useState('');
  const [customerId] = useDebouncedValue(customer.trim(), 300);
  const list = usePagedList<Message>(
    ['distribution', distribution.id, 'messages', distribution.status],
    `/v1/distributions/${distribution.id}/messages`,
    { status, channel_type: channel, customer_id: customerId },
    live ? 2000 : false,
  );
  const types = [...new Set(distribution.channels.map((c) => c.type))];
  return (
    <Stack>
      <Title order={3}>Messages</Title>
      <Group align="flex-end">
        <Select label="Status" placeholder="Any" clearable data={['queued', 'sent', 'skipped', 'failed']} value={status} onChange={setStatus} w={160} />
        <Select label="Channel" placeholder="Any" clearable data={types} value={channel} onChange={setChannel} w={180} />
        <TextInput label="Customer id" value={customer} onChange={(e) => setCustomer(e.currentTarget.value)} w={240} />
      </Group>
      <PagedTable
        list={list}
        label="Messages"
        columns={columns}
        minWidth={800}
        empty={`No message${status || channel || customerId ? ' matches these filters' : ' yet'}.`}
      />
    </Stack>
  );
}
