import { Anchor, Group, Pagination, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconUpload } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { get } from '../../api/client';
import { itemsOf, type AnyList } from '../../api/lists';
import type { Customer } from '../../api/types';
import { QueryState } from '../../components/errors';
import { PageHeader } from '../../components/PageHeader';
import { formatDate } from '../distributions/labels';

const PAGE_SIZE = 20;

/** Pages of 20, newest first; a search is the API's ?q= (start of name or a word of it, email, source id, phone; any case). */
export function CustomerList() {
  const [search, setSearch] = useState('');
  const [term] = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: ['customers', { term, page }],
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<{ rows: Customer[]; total: number }> => {
      const list = await get<AnyList>('/v1/customers', { page, limit: PAGE_SIZE, ...(term ? { q: term } : {}) });
      return { rows: itemsOf<Customer>(list), total: list.total };
    },
  });
  const rows = query.data?.rows ?? [];
  const pages = Math.max(1, Math.ceil((query.data?.total ?? 0) / PAGE_SIZE));
  return (
    <Stack>
      <PageHeader title="Customers" action={{ to: '/customers/import', label: 'Import CSV', icon: <IconUpload size={16} /> }} />
      <Group align="flex-end">
        <TextInput label="Search customers" description="Start of a name, email, source id or phone" placeholder="e.g. ada, ada@, crm-1" leftSection={<IconSearch size={16} />} value={search} onChange={(e) => { setSearch(e.currentTarget.value); setPage(1); }} w={300} />
      </Group>
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        {rows.length === 0 ? (
          <Text c="dimmed" ta="center" py="xl">
            {term ? 'No customer matches.' : 'No customer yet: import a CSV or create them through the API.'}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={700}>
            <Table striped aria-label="Customers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Source id</Table.Th>
                  <Table.Th>Phone</Table.Th>
                  <Table.Th>Created</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/customers/${c.id}`}>
                        {c.name || c.id}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{c.email ?? '—'}</Table.Td>
                    <Table.Td>{c.source_id ?? '—'}</Table.Td>
                    <Table.Td>{c.phone ?? '—'}</Table.Td>
                    <Table.Td>{formatDate(c.created_at)}</Table.Td>
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
