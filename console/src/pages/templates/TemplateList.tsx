import { ActionIcon, Anchor, Badge, Group, Pagination, Stack, Table, Text } from '@mantine/core';
import { IconCopy, IconPlus, IconTrash } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { del, get, post } from '../../api/client';
import type { List } from '../../api/client';
import { templateFields, type Template } from '../../api/templates';
import { QueryState, showError, showSuccess } from '../../components/errors';
import { PageHeader } from '../../components/PageHeader';
import { useSession } from '../../session';
import { formatDate } from '../distributions/labels';

const PAGE_SIZE = 20;

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
  const [page, setPage] = useState(1);
  const query = useQuery({ queryKey: ['templates', page], queryFn: () => get<List<Template>>('/v1/templates', { page, limit: PAGE_SIZE }), placeholderData: keepPreviousData });
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
  const rows = query.data?.data ?? [];
  const pages = Math.max(1, Math.ceil((query.data?.total ?? 0) / PAGE_SIZE));
  return (
    <Stack>
      <PageHeader title="Templates" action={{ to: '/templates/new', label: 'New template', icon: <IconPlus size={16} /> }} />
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        {rows.length === 0 ? (
          <Text c="dimmed" ta="center" py="xl">
            No template yet.
          </Text>
        ) : (
          <Table striped aria-label="Templates">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Channel</Table.Th>
                <Table.Th>Body</Table.Th>
                <Table.Th>Used by</Table.Th>
                <Table.Th>Updated</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/templates/${t.id}`}>
                      {t.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light">{t.channel_type}</Badge>
                  </Table.Td>
                  <Table.Td>{bodyKind(t)}</Table.Td>
                  <Table.Td>
                    <UsedBy t={t} />
                  </Table.Td>
                  <Table.Td>{formatDate(t.updated_at)}</Table.Td>
                  <Table.Td>
                    {canWrite && (
                      <Group gap={4} wrap="nowrap">
                        <ActionIcon variant="subtle" aria-label={`Duplicate ${t.name}`} onClick={() => duplicate.mutate(t)}>
                          <IconCopy size={16} />
                        </ActionIcon>
                        <ActionIcon variant="subtle" color="red" aria-label={`Delete ${t.name}`} onClick={() => remove.mutate(t)}>
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Group>
                    )}
                  </Table.Td>
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
