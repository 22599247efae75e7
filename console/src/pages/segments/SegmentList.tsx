import { ActionIcon, Button, Group, Modal, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { del } from '../../api/client';
import type { Segment } from '../../api/types';
import { linkColumn, type Column } from '../../components/DataTable';
import { showError, showSuccess } from '../../components/errors';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { SyncBadge } from '../../components/pickers';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session';
import { formatDate } from '../distributions/labels';

export function SegmentList() {
  const { canWrite } = useSession();
  const queryClient = useQueryClient();
  const list = usePagedList<Segment>(['segments'], '/v1/segments', {}, 2000);
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
  const columns: Array<Column<Segment>> = [
    linkColumn('Name', (s) => `/segments/${s.id}`, (s) => s.name),
    { header: 'Type', cell: (s) => s.type },
    { header: 'Sync status and size', cell: (s) => <SyncBadge segment={s} /> },
    { header: 'Created', cell: (s) => formatDate(s.created_at) },
    {
      header: '',
      cell: (s) =>
        canWrite && (
          <ActionIcon variant="subtle" color="red" aria-label={`Delete ${s.name}`} onClick={() => { setDeleting(s); open(); }}>
            <IconTrash size={16} />
          </ActionIcon>
        ),
    },
  ];
  return (
    <Stack>
      <PageHeader title="Segments" action={{ to: '/segments/new', label: 'New segment', icon: <IconPlus size={16} /> }} />
      <PagedTable list={list} label="Segments" columns={columns} empty="No segment yet." />
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
