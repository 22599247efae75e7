import { Group, Stack, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconUpload } from '@tabler/icons-react';
import { useState } from 'react';
import type { Customer } from '../../api/types';
import { linkColumn, type Column } from '../../components/DataTable';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageHeader } from '../../components/PageHeader';
import { formatDate } from '../distributions/labels';

const columns: Array<Column<Customer>> = [
  linkColumn('Name', (c) => `/customers/${c.id}`, (c) => c.name || c.id),
  { header: 'Email', cell: (c) => c.email ?? '—' },
  { header: 'Source id', cell: (c) => c.source_id ?? '—' },
  { header: 'Phone', cell: (c) => c.phone ?? '—' },
  { header: 'Created', cell: (c) => formatDate(c.created_at) },
];

/** Pages of 20, newest first; a search is the API's ?q= (start of name or a word of it, email, source id, phone; any case). */
export function CustomerList() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const list = usePagedList<Customer>(['customers'], '/v1/customers', { q });
  return (
    <Stack>
      <PageHeader title="Customers" action={{ to: '/customers/import', label: 'Import CSV', icon: <IconUpload size={16} /> }} />
      <Group align="flex-end">
        <TextInput label="Search customers" description="Start of a name, email, source id or phone" placeholder="e.g. ada, ada@, crm-1" leftSection={<IconSearch size={16} />} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={300} />
      </Group>
      <PagedTable
        list={list}
        label="Customers"
        columns={columns}
        minWidth={700}
        empty={q ? 'No customer matches.' : 'No customer yet: import a CSV or create them through the API.'}
      />
    </Stack>
  );
}
