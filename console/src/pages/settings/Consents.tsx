import { Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../../api/client';
import type { Consent } from '../../api/types';
import { SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { QueryState, showSuccess } from '../../components/errors';
import { ConsentMultiSelect } from '../../components/pickers';
import { useSession } from '../../session';

interface Catalogue {
  consents: { data: Consent[] };
  groups: { data: Array<{ id: string; name: string; description?: string | null; consents: string[] }> };
}

/** The consents catalogue: what a distribution can require a customer to have granted. */
export function Consents() {
  const { canWrite } = useSession();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['consents'], queryFn: () => get<Catalogue>('/v1/consents') });
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [groupName, setGroupName] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const done = (message: string) => () => {
    showSuccess(message);
    void queryClient.invalidateQueries({ queryKey: ['consents'] });
  };
  const addConsent = useMutation({ mutationFn: () => post('/v1/consents', { name, ...(description ? { description } : {}) }), onSuccess: () => { setName(''); setDescription(''); done('Consent defined')(); } });
  const addGroup = useMutation({ mutationFn: () => post('/v1/consents/groups', { name: groupName, consents: members }), onSuccess: () => { setGroupName(''); setMembers([]); done('Group defined')(); } });
  const names = new Map((query.data?.consents.data ?? []).map((c) => [c.id, c.name]));
  return (
    <Stack>
      <Title order={2}>Consents</Title>
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        <Table aria-label="Consents">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Consent</Table.Th>
              <Table.Th>Id</Table.Th>
              <Table.Th>Description</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(query.data?.consents.data ?? []).map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.name}</Table.Td>
                <Table.Td ff="monospace">{c.id}</Table.Td>
                <Table.Td>{c.description ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {(query.data?.consents.data.length ?? 0) === 0 && <Text c="dimmed">No consent defined yet.</Text>}
        {(query.data?.groups.data.length ?? 0) > 0 && (
          <Table aria-label="Consent groups">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Group</Table.Th>
                <Table.Th>Id</Table.Th>
                <Table.Th>Description</Table.Th>
                <Table.Th>Members</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(query.data?.groups.data ?? []).map((g) => (
                <Table.Tr key={g.id}>
                  <Table.Td>{g.name}</Table.Td>
                  <Table.Td ff="monospace">{g.id}</Table.Td>
                  <Table.Td>{g.description ?? '—'}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {g.consents.map((id) => (
                        <Badge key={id} variant="light" tt="none">
                          {names.get(id) ?? id}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      {canWrite && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder>
            <Stack>
              <Title order={3} size="h5">
                New consent
              </Title>
              <TextInput label="Consent name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
              <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
              <SaveErrorAlert error={addConsent.error} />
              <Group>
                <Button onClick={() => addConsent.mutate()} loading={addConsent.isPending}>
                  Define consent
                </Button>
              </Group>
            </Stack>
          </Card>
          <Card withBorder>
            <Stack>
              <Title order={3} size="h5">
                New consent group
              </Title>
              <TextInput label="Group name" value={groupName} onChange={(e) => setGroupName(e.currentTarget.value)} />
              <ConsentMultiSelect label="Member consents" value={members} onChange={setMembers} />
              <SaveErrorAlert error={addGroup.error} />
              <Group>
                <Button onClick={() => addGroup.mutate()} loading={addGroup.isPending}>
                  Define group
                </Button>
              </Group>
            </Stack>
          </Card>
        </SimpleGrid>
      )}
    </Stack>
  );
}
