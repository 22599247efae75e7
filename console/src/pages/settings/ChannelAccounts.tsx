import { ActionIcon, Alert, Autocomplete, Badge, Button, Group, Modal, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconPencil, IconPlugConnected, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { del, get, post, put } from '../../api/client';
import { itemsOf, type AnyList } from '../../api/lists';
import type { ChannelAccount } from '../../api/types';
import { SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { QueryState, fieldError, showError, showSuccess } from '../../components/errors';
import { useSession } from '../../session';
import { DataTable } from '../../components/DataTable';
import { KeyValueRows, pair, toRecord, type Pair } from '../../components/KeyValueRows';

/** The accounts each provider adapter asks for (README "Channels"); the API says what is missing or wrong. */
const PROVIDERS: Record<string, { credentials: string[]; settings: string[] }> = {
  sendgrid: { credentials: ['api_key'], settings: ['from'] },
  mandrill: { credentials: ['api_key'], settings: ['from'] },
  mailgun: { credentials: ['api_key'], settings: ['domain', 'from'] },
  twilio: { credentials: ['account_sid', 'auth_token'], settings: ['from'] },
  cm_telecom: { credentials: ['product_token'], settings: ['from'] },
  textlocal: { credentials: ['api_key'], settings: ['sender'] },
  activecampaign: { credentials: ['api_token'], settings: ['api_url'] },
  braze: { credentials: ['api_key'], settings: ['rest_endpoint'] },
  mailchimp: { credentials: ['api_key'], settings: ['list_id'] },
  intercom: { credentials: ['access_token'], settings: [] },
};

function AccountForm({ account, onDone }: { account?: ChannelAccount; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [type, setType] = useState(account?.type ?? 'sendgrid');
  const [name, setName] = useState(account?.name ?? '');
  const [credentials, setCredentials] = useState<Pair[]>(() => (account?.credential_names ?? PROVIDERS[type]?.credentials ?? []).map((n) => pair(n)));
  const [settings, setSettings] = useState<Pair[]>(() =>
    account ? Object.entries(account.settings ?? {}).map(([k, v]) => pair(k, String(v))) : (PROVIDERS[type]?.settings ?? []).map((n) => pair(n)),
  );
  // A known provider fills in its field names; any other type keeps what was typed.
  const pickType = (t: string) => {
    setType(t);
    const known = PROVIDERS[t];
    if (!known) return;
    setCredentials(known.credentials.map((n) => pair(n)));
    setSettings(known.settings.map((n) => pair(n)));
  };
  const save = useMutation({
    mutationFn: () => {
      const body = { name, credentials: toRecord(credentials), settings: toRecord(settings) };
      return account ? put(`/v1/channels/${account.id}`, body) : post('/v1/channels', { type, ...body });
    },
    onSuccess: () => {
      showSuccess(account ? 'Account saved' : 'Account added');
      void queryClient.invalidateQueries({ queryKey: ['channel-accounts'] });
      onDone();
    },
  });
  return (
    <Stack>
      {!account && <Autocomplete label="Provider" description="A channel type whose adapter takes an account" data={Object.keys(PROVIDERS)} value={type} onChange={pickType} error={fieldError(save.error, 'type')} />}
      <TextInput label="Account name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} />
      <KeyValueRows label="Credentials" make={pair} secret pairs={credentials} onChange={setCredentials} hint={account ? 'Stored encrypted and never shown again; a value typed here replaces the stored one, an empty one keeps it' : 'Stored encrypted; never shown again'} />
      <KeyValueRows label="Settings" make={pair} pairs={settings} onChange={setSettings} />
      <SaveErrorAlert error={save.error} />
      <Group justify="flex-end">
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          {account ? 'Save account' : 'Add account'}
        </Button>
      </Group>
    </Stack>
  );
}

/** Provider accounts (`/v1/channels`): add, edit, test the connection, delete. */
export function ChannelAccounts() {
  const { isAdmin } = useSession();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['channel-accounts'], queryFn: () => get<AnyList>('/v1/channels', { limit: 100 }) });
  const [editing, setEditing] = useState<ChannelAccount | 'new' | null>(null);
  const [results, setResults] = useState<Record<string, { ok: boolean; error?: string }>>({});
  const test = useMutation({
    mutationFn: (id: string) => post<{ ok: boolean; error?: string }>(`/v1/channels/${id}/test`).then((r) => [id, r] as const),
    onSuccess: ([id, r]) => setResults((all) => ({ ...all, [id]: r })),
    onError: showError('Test failed'),
  });
  const remove = useMutation({
    mutationFn: (id: string) => del(`/v1/channels/${id}`),
    onSuccess: () => {
      showSuccess('Account deleted');
      void queryClient.invalidateQueries({ queryKey: ['channel-accounts'] });
    },
    onError: showError('Could not delete the account'),
  });
  const rows = itemsOf<ChannelAccount>(query.data);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Channel accounts</Title>
        {isAdmin && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            Add account
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        Provider accounts distributions send through. Built-in email and webhooks need none.
      </Text>
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        <DataTable
          label="Channel accounts"
          rows={rows}
          empty="No account yet."
          columns={[
            { header: 'Name', cell: (a) => a.name },
            { header: 'Provider', cell: (a) => a.type },
            { header: 'Credentials', cell: (a) => (a.credential_names ?? []).join(', ') },
            {
              header: 'Connection',
              cell: (a) => {
                const r = results[a.id];
                return r ? (
                  <Badge color={r.ok ? 'green' : 'red'} variant="light" title={r.error}>
                    {r.ok ? 'connected' : `failed: ${r.error ?? ''}`}
                  </Badge>
                ) : (
                  '—'
                );
              },
            },
            {
              header: '',
              cell: (a) => (
                <Group gap={4} wrap="nowrap">
                  <ActionIcon variant="subtle" aria-label={`Test ${a.name}`} onClick={() => test.mutate(a.id)} loading={test.isPending && test.variables === a.id}>
                    <IconPlugConnected size={16} />
                  </ActionIcon>
                  {isAdmin && (
                    <>
                      <ActionIcon variant="subtle" aria-label={`Edit ${a.name}`} onClick={() => setEditing(a)}>
                        <IconPencil size={16} />
                      </ActionIcon>
                      <ActionIcon variant="subtle" color="red" aria-label={`Delete ${a.name}`} onClick={() => window.confirm(`Delete ${a.name}?`) && remove.mutate(a.id)}>
                        <IconTrash size={16} />
                      </ActionIcon>
                    </>
                  )}
                </Group>
              ),
            },
          ]}
        />
      </QueryState>
      {!isAdmin && <Alert color="gray">Only an admin key adds, edits or deletes accounts.</Alert>}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'Add a channel account' : `Edit ${editing?.name ?? ''}`} size="lg">
        {editing !== null && <AccountForm account={editing === 'new' ? undefined : editing} onDone={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
