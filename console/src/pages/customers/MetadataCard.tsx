import { Alert, Button, Code, Group, JsonInput, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { put } from '../../api/client';
import type { Customer } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { showSuccess } from '../../components/errors';
import { SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { Section } from '../../components/Section';
import { KeyValueRows } from '../../components/KeyValueRows';
import { useSession } from '../../session';
import { KINDS, mergeBody, metadataRow, parseObject, recordOf, rowsOf, valueOf, type Kind, type MetadataRow } from './metadata-rows';

type Mode = 'fields' | 'json';

function MetadataForm({ customer, onClose }: { customer: Customer; onClose: () => void }) {
  const before = customer.metadata ?? {};
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>('fields');
  const [rows, setRows] = useState<MetadataRow[]>(() => rowsOf(before));
  const [json, setJson] = useState('');
  const [switchError, setSwitchError] = useState<string>();
  const parsed = mode === 'fields' ? recordOf(rows) : parseObject(json);
  const save = useMutation({
    mutationFn: (record: Record<string, unknown>) => put<Customer>(`/v1/customers/${encodeURIComponent(customer.id)}`, { metadata: mergeBody(before, record) }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['customer'] });
      showSuccess('Metadata saved');
      onClose();
    },
  });
  // Each mode's text is made from the other's value, so nothing typed is lost by switching; one that does not read stays put.
  const switchTo = (next: Mode) => {
    if (next === mode) return;
    if ('error' in parsed) return setSwitchError(parsed.error);
    if (next === 'json') setJson(JSON.stringify(parsed.record, null, 2));
    else setRows(rowsOf(parsed.record));
    setSwitchError(undefined);
    setMode(next);
  };
  return (
    <Stack>
      <SegmentedControl
        aria-label="Edit metadata as"
        w="fit-content"
        value={mode}
        onChange={(v) => switchTo(v as Mode)}
        data={[
          { value: 'fields', label: 'Fields' },
          { value: 'json', label: 'JSON' },
        ]}
      />
      {mode === 'fields' ? (
        <KeyValueRows
          label="Metadata"
          pairs={rows}
          onChange={setRows}
          make={() => metadataRow()}
          errorOf={(r) => {
            const v = valueOf(r);
            return r.name.trim() && 'error' in v ? v.error : undefined;
          }}
          showLabel={false}
          addLabel="Add key"
          extra={{
            header: 'Type',
            width: 120,
            cell: (r, update, i) => <Select aria-label={`Metadata: type ${i + 1}`} data={KINDS} value={r.kind} onChange={(v) => v && update({ kind: v as Kind })} allowDeselect={false} />,
          }}
        />
      ) : (
        <JsonInput label="Metadata (JSON)" description="One object of keys; nested values are kept as they are" value={json} onChange={setJson} autosize minRows={4} maxRows={16} formatOnBlur validationError="Not valid JSON" />
      )}
      {(switchError ?? ('error' in parsed ? parsed.error : undefined)) && (
        <Alert color="red" role="alert" data-testid="metadata-error">
          {switchError ?? ('error' in parsed ? parsed.error : '')}
        </Alert>
      )}
      <SaveErrorAlert error={save.error} />
      <Group>
        <Button onClick={() => 'record' in parsed && save.mutate(parsed.record)} disabled={'error' in parsed} loading={save.isPending}>
          Save metadata
        </Button>
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
      </Group>
    </Stack>
  );
}

const shown = (v: unknown) => (typeof v === 'string' ? v : <Code>{JSON.stringify(v)}</Code>);

/** A customer's metadata as a table of keys; edited as fields, or as JSON for what fields do not fit. */
export function MetadataCard({ customer }: { customer: Customer }) {
  const { canWrite } = useSession();
  const [editing, setEditing] = useState(false);
  const entries = Object.entries(customer.metadata ?? {}).map(([id, value]) => ({ id, value }));
  return (
    <Section
      title="Metadata"
      action={
        canWrite &&
        !editing && (
          <Button size="xs" variant="light" leftSection={<IconPencil size={14} />} onClick={() => setEditing(true)}>
            Edit metadata
          </Button>
        )
      }
    >
      {editing ? (
        <MetadataForm customer={customer} onClose={() => setEditing(false)} />
      ) : entries.length === 0 ? (
        <Text c="dimmed">None</Text>
      ) : (
        <DataTable
          label="Metadata"
          rows={entries}
          empty="None"
          columns={[
            { header: 'Key', cell: (e) => e.id, td: { ff: 'monospace' } },
            { header: 'Value', cell: (e) => shown(e.value) },
          ]}
        />
      )}
    </Section>
  );
}
