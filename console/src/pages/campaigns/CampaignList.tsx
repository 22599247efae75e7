import { Badge, Button, Progress, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { get } from '../../api/client';
import type { Campaign } from '../../api/types';
import { linkColumn, type Column } from '../../components/DataTable';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session';
import { formatDate } from '../distributions/labels';

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

const columns: Array<Column<Campaign>> = [
  linkColumn('Name', (c) => `/campaigns/${c.id}`, (c) => c.name),
  { header: 'Kind', cell: (c) => `${c.campaign_type} · ${c.type === 'AUTO_UPDATE' ? 'auto-update' : 'static'}` },
  { header: 'Pool', cell: (c) => (c.campaign_type === 'PROMOTION' ? `${c.promotion?.tiers?.length ?? 0} tiers` : <PoolUse id={c.id} />) },
  {
    header: 'Codes',
    cell: (c) => (
      <Badge variant="light" color={c.vouchers_generation_status === 'DONE' ? 'green' : 'yellow'}>
        {c.vouchers_generation_status ?? '—'}
      </Badge>
    ),
  },
  { header: 'Created', cell: (c) => formatDate(c.created_at) },
];

export function CampaignList() {
  const { canWrite } = useSession();
  const list = usePagedList<Campaign>(['campaigns'], '/v1/campaigns', {}, 5000);
  return (
    <Stack>
      <PageHeader title="Campaigns" action={{ to: '/campaigns/new', label: 'New unique-code campaign', icon: <IconPlus size={16} /> }} />
      {canWrite && (
        <Button component={Link} to="/campaigns/new-promotion" variant="light" w="fit-content" leftSection={<IconPlus size={16} />}>
          New promotion
        </Button>
      )}
      <PagedTable list={list} label="Campaigns" columns={columns} empty="No campaign yet." />
    </Stack>
  );
}
