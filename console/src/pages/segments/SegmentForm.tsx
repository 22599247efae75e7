import { ActionIcon, Button, FileButton, Group, SegmentedControl, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconPlus, IconTrash, IconUpload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { get, post, put } from '../../api/client';
import type { Segment } from '../../api/types';
import { FieldErrorsAlert, SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { QueryState, fieldError, showSuccess } from '../../components/errors';
import { SyncBadge } from '../../components/pickers';
import { FIELDS, OPERATORS, fromFilter, newRow, takesValue, toFilter, type FilterRow } from './filter';

type SegmentType = 'static' | 'auto-update' | 'passive';

function FilterBuilder({ junction, rows, onJunction, onRows }: { junction: 'and' | 'or'; rows: FilterRow[]; onJunction: (j: 'and' | 'or') => void; onRows: (r: FilterRow[]) => void }) {
  const update = (key: string, patch: Partial<FilterRow>) => onRows(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs" role="group" aria-label="Filter">
      <Group>
        <Text size="sm" fw={500}>
          Customers matching
        </Text>
        <SegmentedControl size="xs" value={junction} onChange={(v) => onJunction(v as 'and' | 'or')} data={[{ value: 'and', label: 'all conditions' }, { value: 'or', label: 'any condition' }]} aria-label="Junction" />
      </Group>
      {rows.map((r, i) => (
        <Group key={r.key} align="flex-end" wrap="wrap">
          <Select label={`Field ${i + 1}`} data={FIELDS} value={r.field} onChange={(v) => update(r.key, { field: v ?? 'metadata' })} w={200} allowDeselect={false} />
          {r.field === 'metadata' && <TextInput label={`Metadata key ${i + 1}`} value={r.metadataKey} onChange={(e) => update(r.key, { metadataKey: e.currentTarget.value })} w={160} />}
          <Select label={`Operator ${i + 1}`} data={OPERATORS} value={r.operator} onChange={(v) => update(r.key, { operator: v ?? '$is' })} w={170} allowDeselect={false} />
          {takesValue(r.operator) && <TextInput label={`Value ${i + 1}`} value={r.value} onChange={(e) => update(r.key, { value: e.currentTarget.value })} w={180} />}
          <ActionIcon variant="subtle" color="red" aria-label={`Remove condition ${i + 1}`} onClick={() => onRows(rows.filter((x) => x.key !== r.key))} mb={4}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
      <Button variant="light" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => onRows([...rows, newRow()])}>
        Add condition
      </Button>
    </Stack>
  );
}

/** Static lists of ids / source ids (pasted or from a file), or auto-update filters. Also edits one. */
export function SegmentForm() {
  const { id } = useParams();
  const editing = Boolean(id);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const existing = useQuery({ queryKey: ['segment', id], enabled: editing, queryFn: () => get<Segment & { customers?: string[] }>(`/v1/segments/${id}`), refetchInterval: 2000 });
  const [name, setName] = useState('');
  const [type, setType] = useState<SegmentType>('auto-update');
  const [ids, setIds] = useState('');
  const [junction, setJunction] = useState<'and' | 'or'>('and');
  const [rows, setRows] = useState<FilterRow[]>([newRow()]);
  const [loadedId, setLoadedId] = useState<string>();
  useEffect(() => {
    const s = existing.data;
    if (!s || loadedId === s.id) return;
    setLoadedId(s.id);
    setName(s.name);
    setType(s.type as SegmentType);
    const f = fromFilter(s.filter);
    setJunction(f.junction);
    setRows(f.rows.length ? f.rows : [newRow()]);
  }, [existing.data, loadedId]);

  const body = () => {
    const customers = ids.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
    if (type === 'static') return { name, ...(editing && !customers.length ? {} : { customers }) };
    return { name, filter: toFilter(junction, rows) };
  };
  const save = useMutation({
    mutationFn: () => (editing ? put<Segment>(`/v1/segments/${id}`, body()) : post<Segment>('/v1/segments', { ...body(), type })),
    onSuccess: (s) => {
      showSuccess(editing ? 'Segment saved: it is syncing again' : 'Segment created: it is syncing');
      void queryClient.invalidateQueries({ queryKey: ['segments'] });
      navigate(`/segments/${s.id}`);
    },
  });
  const count = useMutation({ mutationFn: () => post<{ matching: number; scanned: number; complete: boolean }>('/v1/segments/count', { filter: toFilter(junction, rows) }) });
  const readFile = async (file: File | null) => {
    if (file) setIds((await file.text()).trim());
  };
  const error = save.error;
  return (
    <Stack maw={900}>
      <Title order={2}>{editing ? `Segment ${existing.data?.name ?? ''}` : 'New segment'}</Title>
      <QueryState isPending={editing && existing.isPending} error={existing.error}>
        {existing.data && (
          <Group>
            <Text size="sm">Sync status:</Text>
            <SyncBadge segment={existing.data} />
          </Group>
        )}
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} />
        {!editing && (
          <SegmentedControl
            aria-label="Segment type"
            value={type}
            onChange={(v) => setType(v as SegmentType)}
            data={[
              { value: 'auto-update', label: 'Auto-update (filter)' },
              { value: 'static', label: 'Static (list of customers)' },
              { value: 'passive', label: 'Passive (filter, no events)' },
            ]}
          />
        )}
        {type === 'static' ? (
          <Stack gap="xs">
            <Textarea
              label="Customers"
              description={editing ? 'Ids or source ids, one per line; leave empty to keep the current members' : 'Ids or source ids, one per line (or separated by commas)'}
              autosize
              minRows={5}
              maxRows={14}
              value={ids}
              onChange={(e) => setIds(e.currentTarget.value)}
              error={fieldError(error, 'customers')}
            />
            <FileButton onChange={(f) => void readFile(f)} accept=".txt,.csv,text/plain,text/csv">
              {(props) => (
                <Button {...props} variant="light" size="xs" w="fit-content" leftSection={<IconUpload size={14} />}>
                  Load ids from a file
                </Button>
              )}
            </FileButton>
          </Stack>
        ) : (
          <Stack gap="xs">
            <FilterBuilder junction={junction} rows={rows} onJunction={setJunction} onRows={setRows} />
            <Group>
              <Button variant="default" size="xs" onClick={() => count.mutate()} loading={count.isPending}>
                Count matching customers
              </Button>
              {count.data && (
                <Text size="sm" data-testid="match-count">
                  {count.data.complete ? `${count.data.matching} customers match` : `at least ${count.data.matching} customers match (of the first ${count.data.scanned})`}
                </Text>
              )}
            </Group>
            <FieldErrorsAlert error={count.error} />
          </Stack>
        )}
        <SaveErrorAlert error={error} />
        <Group>
          <Button onClick={() => save.mutate()} loading={save.isPending}>
            {editing ? 'Save segment' : 'Create segment'}
          </Button>
          <Button variant="default" onClick={() => navigate('/segments')}>
            Back to segments
          </Button>
        </Group>
      </QueryState>
    </Stack>
  );
}
