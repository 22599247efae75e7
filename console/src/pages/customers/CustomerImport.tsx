import { Alert, Button, FileInput, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { get, upload } from '../../api/client';
import { DataTable } from '../../components/DataTable';

interface AsyncAction {
  id: string;
  status: 'ENQUEUED' | 'IN_PROGRESS' | 'DONE' | 'FAILED';
  operation_status: 'SUCCESS' | 'PARTIALLY_SUCCESS' | 'FAILED' | null;
  progress: number;
  result: { done_count: number; failed_count: number; errors: Array<{ row: number; field: string; reason: string }>; errors_truncated: boolean; message?: string };
}

const FINISHED = new Set(['DONE', 'FAILED']);

/** Uploads a CSV to POST /v1/customers/importCSV and follows its async action to the end. */
export function CustomerImport() {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const start = useMutation({
    mutationFn: (f: File) => {
      const form = new FormData();
      form.append('file', f);
      return upload<{ async_action_id: string }>('/v1/customers/importCSV', form);
    },
  });
  const actionId = start.data?.async_action_id;
  const action = useQuery({
    queryKey: ['async-action', actionId],
    enabled: Boolean(actionId),
    queryFn: () => get<AsyncAction>(`/v1/async-actions/${actionId}`),
    refetchInterval: (q) => (q.state.data && FINISHED.has(q.state.data.status) ? false : 500),
  });
  const a = action.data;
  const finished = Boolean(a && FINISHED.has(a.status));
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: ['customers'] });
  }, [finished, queryClient]);
  return (
    <Stack maw={900}>
      <Title order={2}>Import customers from CSV</Title>
      <Text size="sm">
        A header row names the columns: <code>source_id</code>, <code>name</code>, <code>email</code>, <code>phone</code>, <code>address.city</code>, …, and <code>metadata.KEY</code> for metadata. Rows with the
        same source id update that customer.
      </Text>
      <Group align="flex-end">
        <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" value={file} onChange={setFile} w={340} clearable />
        <Button leftSection={<IconUpload size={16} />} disabled={!file} loading={start.isPending} onClick={() => file && start.mutate(file)}>
          Upload and import
        </Button>
      </Group>
      {start.error && (
        <Alert color="red" role="alert" title="Upload refused">
          {start.error.message}
        </Alert>
      )}
      {action.error && (
        <Alert color="red" role="alert">
          {action.error.message}
        </Alert>
      )}
      {a && (
        <Stack gap="xs">
          <Text size="sm" data-testid="import-status">
            {a.status === 'DONE' ? `Done: ${a.result.done_count} imported, ${a.result.failed_count} failed` : a.status === 'FAILED' ? `Failed: ${a.result.message ?? ''}` : `Importing… ${Math.round(a.progress)}%`}
          </Text>
          <Progress.Root>
            {/* The label goes on the section: it is the element with the progressbar role. */}
            <Progress.Section value={a.progress} aria-label="Import progress" color={a.status === 'FAILED' ? 'red' : a.result.failed_count ? 'yellow' : 'green'} animated={!FINISHED.has(a.status)} />
          </Progress.Root>
          {a.result.errors.length > 0 && (
            <>
              <Title order={3} size="h5">
                Rows not imported{a.result.errors_truncated ? ' (first ones only)' : ''}
              </Title>
              <DataTable
                label="Row errors"
                rows={a.result.errors.map((e) => ({ ...e, id: `${e.row}:${e.field}` }))}
                empty=""
                columns={[
                  { header: 'Row', cell: (e) => e.row },
                  { header: 'Field', cell: (e) => e.field },
                  { header: 'Reason', cell: (e) => e.reason },
                ]}
              />
            </>
          )}
        </Stack>
      )}
    </Stack>
  );
}
