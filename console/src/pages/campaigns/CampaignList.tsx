import { Anchor, Badge, Button, Pagination, Progress, Stack, Table, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { get } from '../../api/client';
import { itemsOf, type AnyList } from '../../api/lists';
import type { Campaign } from '../../api/types';
import { QueryState } from '../../components/errors';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session';
import { formatDate } from '../distributions/labels';

const PAGE_SIZE = 20;

export interface Pool {
  total: number;
  published: number;
  free: number;
  type: string;
}

export function PoolUse({ id }: { id: string }) {
  const { data } = useQuery({ queryKey: ['campaign', id, 'pool'], queryFn: () => get<Pool>(`/v1/campaigns/${id}/pool`), refetchInterval: 5000 });
  if (!data) return <Text c="dimmed">…</Text>;
  return (
    <Stack gap={2} miw={160}>
      <Text size="sm" data-testid="pool-use">
        {data.published} / {data.total} used
      </Text>
      {/* The text above says it in words; the bar is decoration for screen readers. */}
      <Progress value={data.total ? (100 * data.published) / data.total : 0} size="sm" aria-hidden />
    </Stack>
  );
}

export function CampaignList() {
  const { canWrite } = useSession();
  const [page, setPage] = useState(1);
  const query = useQuery({ queryKey: ['campaigns', page], queryFn: () => get<AnyList>('/v1/campaigns', { page, limit: PAGE_SIZE }), placeholderData: keepPreviousData, refetchInterval: 5000 });
  const rows = itemsOf<Campaign>(query.data);
  const pages = Math.max(1, Math.ceil((query.data?.total ?? 0) / PAGE_SIZE));
  return (
    <Stack>
      <PageHeader title="Campaigns" action={{ to: '/campaigns/new', label: 'New unique-code campaign', icon: <IconPlus size={16} /> }} />
      {canWrite && (
        <Button component={Link} to="/campaigns/new-promotion" variant="light" w="fit-content" leftSection={<IconPlus size={16} />}>
          New promotion
        </Button>
      )}
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        {rows.length === 0 ? (
          <Text c="dimmed" ta="center" py="xl">
            No campaign yet.
          </Text>
        ) : (
          <Table striped aria-label="Campaigns">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Pool</Table.Th>
                <Table.Th>Codes</Table.Th>
                <Table.Th>Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/campaigns/${c.id}`}>
                      {c.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {c.campaign_type} · {c.type === 'AUTO_UPDATE' ? 'auto-update' : 'static'}
                  </Table.Td>
                  <Table.Td>{c.campaign_type === 'PROMOTION' ? `${c.promotion?.tiers?.length ?? 0} tiers` : <PoolUse id={c.id} />}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={c.vouchers_generation_status === 'DONE' ? 'green' : 'yellow'}>
                      {c.vouchers_generation_status ?? '—'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{formatDate(c.created_at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} />}
      </QueryState>
    </Stack>
  );
}
