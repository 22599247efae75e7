import { ActionIcon, Anchor, Button, Group, Modal, Pagination, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { del, get } from '../../api/client';
import { itemsOf, type AnyList } from '../../api/lists';
import type { Segment } from '../../api/types';
import { QueryState, showError, showSuccess } from '../../components/errors';
import { SyncBadge } from '../../components/pickers';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session';
import { formatDate } from '../distributions/labels';

const PAGE_SIZE = 20;

export function SegmentList() {
  const { canWrite } = useSession();
  const [page, setPage] = useState(1);
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['segments', page], queryFn: () => get<AnyList>('/v1/segments', { page, limit: PAGE_SIZE }), placeholderData: keepPreviousData, refetchInterval: 2000 });
  const [deleting, setDeleting] = useState<Segment | null>(null);
  const [opened, { open, close }] = useDisclosure(false);
  const remove = useMutation({
    mutationFn: (id: string) => del(`/v1/segments/${id}`),
    onSuccess: () => {
      showSuccess('Segment deleted');
      void queryClient.invalidateQueries({ queryKey: ['segments'] });
      close();
    },
    onError: showError('Could not delete the segment'),
  });
  const rows = itemsOf<Segment>(query.data);
  const pages = Math.max(1, Math.ceil((query.data?.total ?? 0) / PAGE_SIZE));
  return (
    <Stack>
      <PageHeader title="Segments" action={{ to: '/segments/new', label: 'New segment', icon: <IconPlus size={16} /> }} />
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        {rows.length === 0 ? (
          <Text c="dimmed" ta="center" py="xl">
            No segment yet.
          </Text>
        ) : (
          <Table striped aria-label="Segments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Sync status and size</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/segments/${s.id}`}>
                      {s.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{s.type}</Table.Td>
                  <Table.Td>
                    <SyncBadge segment={s} />
                  </Table.Td>
                  <Table.Td>{formatDate(s.created_at)}</Table.Td>
                  <Table.Td>
                    {canWrite && (
                      <ActionIcon variant="subtle" color="red" aria-label={`Delete ${s.name}`} onClick={() => { setDeleting(s); open(); }}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} />}
      </QueryState>
      <Modal opened={opened} onClose={close} title={`Delete ${deleting?.name ?? 'segment'}?`}>
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Keep it
          </Button>
          <Button color="red" loading={remove.isPending} onClick={() => deleting && remove.mutate(deleting.id)}>
            Delete
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
