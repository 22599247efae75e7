import { Badge, Button, Card, Group, SimpleGrid, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../../api/client';
import type { Consent } from '../../api/types';
import { DataTable, type Column } from '../../components/DataTable';
import { SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { QueryState, showSuccess } from '../../components/errors';
import { ConsentMultiSelect } from '../../components/pickers';
import { useSession } from '../../session';

interface ConsentGroup {
  id: string;
  name: string;
  description?: string | null;
  consents: string[];
}

interface Catalogue {
  consents: { data: Consent[] };
  groups: { data: ConsentGroup[] };
}

/** Name, id and description: what consents and groups both have. */
function described<T extends { id: string; name: string; description?: string | null }>(header: string): Array<Column<T>> {
  return [
    { header, cell: (x) => x.name },
    { header: 'Id', cell: (x) => x.id, td: { ff: 'monospace' } },
    { header: 'Description', cell: (x) => x.description ?? '—' },
  ];
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
        <DataTable label="Consents" rows={query.data?.consents.data ?? []} columns={described<Consent>('Consent')} empty="No consent defined yet." />
        {(query.data?.groups.data.length ?? 0) > 0 && (
          <DataTable
            label="Consent groups"
            rows={query.data?.groups.data ?? []}
            empty=""
            columns={[
              ...described<ConsentGroup>('Group'),
              {
                header: 'Members',
                cell: (g) => (
                  <Group gap={4}>
                    {g.consents.map((id) => (
                      <Badge key={id} variant="light" tt="none">
                        {names.get(id) ?? id}
                      </Badge>
                    ))}
                  </Group>
                ),
              },
            ]}
          />
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
