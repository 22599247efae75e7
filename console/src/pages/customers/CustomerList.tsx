import { Anchor, Group, Pagination, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconUpload } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, get } from '../../api/client';
import { itemsOf, type AnyList } from '../../api/lists';
import type { Customer } from '../../api/types';
import { QueryState } from '../../components/errors';
import { PageHeader } from '../../components/PageHeader';
import { formatDate } from '../distributions/labels';

const PAGE_SIZE = 20;
type SearchBy = 'email' | 'name' | 'id';

/** Pages of 20, newest first; a search uses the API's exact filters (email, name) or an id / source_id lookup. */
export function CustomerList() {
  const [by, setBy] = useState<SearchBy>('email');
  const [search, setSearch] = useState('');
  const [term] = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: ['customers', { by, term, page }],
    placeholderData: keepPreviousData,
    queryFn: async (): Promise<{ rows: Customer[]; total: number }> => {
      if (term && by === 'id') {
        try {
          return { rows: [await get<Customer>(`/v1/customers/${encodeURIComponent(term)}`)], total: 1 };
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return { rows: [], total: 0 };
          throw err;
        }
      }
      const list = await get<AnyList>('/v1/customers', { page, limit: PAGE_SIZE, ...(term ? { [by]: term } : {}) });
      return { rows: itemsOf<Customer>(list), total: list.total };
    },
  });
  const rows = query.data?.rows ?? [];
  const pages = Math.max(1, Math.ceil((query.data?.total ?? 0) / PAGE_SIZE));
  return (
    <Stack>
      <PageHeader title="Customers" action={{ to: '/customers/import', label: 'Import CSV', icon: <IconUpload size={16} /> }} />
      <Group align="flex-end">
        <SegmentedControl aria-label="Search by" value={by} onChange={(v) => { setBy(v as SearchBy); setPage(1); }} data={[{ value: 'email', label: 'Email' }, { value: 'name', label: 'Name' }, { value: 'id', label: 'Id or source id' }]} />
        <TextInput label="Search customers" leftSection={<IconSearch size={16} />} value={search} onChange={(e) => { setSearch(e.currentTarget.value); setPage(1); }} w={300} />
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
