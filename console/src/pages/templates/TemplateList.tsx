import { ActionIcon, Anchor, Badge, Group, Stack, Text } from '@mantine/core';
import { IconCopy, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { del, post } from '../../api/client';
import { templateFields, type Template } from '../../api/templates';
import { linkColumn, type Column } from '../../components/DataTable';
import { showError, showSuccess } from '../../components/errors';
import { PagedTable, usePagedList } from '../../components/PagedTable';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session';
import { formatDate } from '../distributions/labels';

function bodyKind(t: Template): string {
  if (t.blocks) return 'blocks';
  if (t.mjml !== undefined) return 'MJML';
  if (t.html !== undefined) return 'HTML';
  return 'text';
}

function UsedBy({ t }: { t: Template }) {
  if (!t.used_by) return <Text c="dimmed">—</Text>;
  if (t.used_by.length === 0) return <Text c="dimmed">unused</Text>;
  return (
    <Group gap={4}>
      {t.used_by.map((d) => (
        <Anchor key={d.id} component={Link} to={`/distributions/${d.id}`} size="sm">
          {d.name ?? d.id}
        </Anchor>
      ))}
    </Group>
  );
}

/** The templates library: saved messages, where each is used, and copies of them. */
export function TemplateList() {
  const { canWrite } = useSession();
  const queryClient = useQueryClient();
  const list = usePagedList<Template>(['templates'], '/v1/templates');
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['templates'] });
  const duplicate = useMutation({
    mutationFn: (t: Template) => post<Template>('/v1/templates', { name: `${t.name} (copy)`, channel_type: t.channel_type, ...templateFields({ name: t.name, channel_type: t.channel_type, subject: t.subject ?? undefined, blocks: t.blocks, style: t.style, mjml: t.mjml, html: t.html, text: t.text ?? undefined }) }),
    onSuccess: (t) => {
      showSuccess(`Copied as ${t.name}`);
      refresh();
    },
    onError: showError('Not copied'),
  });
  // A template a live distribution uses is refused with 409: its message says which.
  const remove = useMutation({ mutationFn: (t: Template) => del(`/v1/templates/${t.id}`), onSuccess: refresh, onError: showError('Not deleted') });
  const columns: Array<Column<Template>> = [
    linkColumn('Name', (t) => `/templates/${t.id}`, (t) => t.name),
    { header: 'Channel', cell: (t) => <Badge variant="light">{t.channel_type}</Badge> },
    { header: 'Body', cell: bodyKind },
    { header: 'Used by', cell: (t) => <UsedBy t={t} /> },
    { header: 'Updated', cell: (t) => formatDate(t.updated_at) },
    {
      header: '',
      cell: (t) =>
        canWrite && (
          <Group gap={4} wrap="nowrap">
            <ActionIcon variant="subtle" aria-label={`Duplicate ${t.name}`} onClick={() => duplicate.mutate(t)}>
              <IconCopy size={16} />
            </ActionIcon>
            <ActionIcon variant="subtle" color="red" aria-label={`Delete ${t.name}`} onClick={() => remove.mutate(t)}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ),
    },
  ];
  return (
    <Stack>
      <PageHeader title="Templates" action={{ to: '/templates/new', label: 'New template', icon: <IconPlus size={16} /> }} />
      <PagedTable list={list} label="Templates" columns={columns} empty="No template yet." />
    </Stack>
  );
}
