import { Alert, Button, Modal, Select, Stack, TextInput } from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../../api/client';
import { itemsOf, type AnyList } from '../../api/lists';
import type { ChannelAccount } from '../../api/types';
import { SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { fieldError } from '../../components/errors';
import { CustomerPicker } from '../../components/pickers';

/** The built-in email channel takes no account. */
const BUILT_IN = 'built-in';

interface TestMessage {
  object: 'test_message';
  id: string;
  status: string;
  channel: string;
  to: string;
}

/**
 * Sends the saved template once to one address or number through a chosen channel account
 * (POST /v1/templates/:id/test): recorded as a test message, no code published, in no report.
 */
export function SendTestDialog({ templateId, channelType, email }: { templateId: string | undefined; channelType: string; email: boolean }) {
  const [opened, setOpened] = useState(false);
  const [channelId, setChannelId] = useState<string | null>(null);
  const [to, setTo] = useState('');
  const [customerId, setCustomerId] = useState('');
  const [code, setCode] = useState('');
  const accounts = useQuery({ queryKey: ['channel-accounts', 'picker'], queryFn: () => get<AnyList>('/v1/channels', { limit: 100 }).then((l) => itemsOf<ChannelAccount>(l)), enabled: opened });
  const options = [...(channelType === 'email' ? [{ value: BUILT_IN, label: 'Email (built-in)' }] : []), ...(accounts.data ?? []).filter((a) => a.type === channelType).map((a) => ({ value: a.id, label: `${a.name} (${a.type})` }))];
  const chosen = channelId ?? options[0]?.value ?? null;
  const send = useMutation({
    mutationFn: () =>
      post<TestMessage>(`/v1/templates/${templateId}/test`, {
        ...(chosen && chosen !== BUILT_IN ? { channel_id: chosen } : {}),
        to: to.trim(),
        ...(customerId ? { customer_id: customerId } : {}),
        ...(code.trim() ? { voucher_code: code.trim() } : {}),
      }),
  });
  return (
    <>
      <Button variant="default" leftSection={<IconSend size={16} />} disabled={!templateId} title={templateId ? undefined : 'Save the template first'} onClick={() => setOpened(true)}>
        Send test
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Send a test message">
        <Stack>
          <Select label="Channel account" data={options} value={chosen} onChange={setChannelId} error={fieldError(send.error, 'channel_id')} />
          <TextInput label={email ? 'Email address' : 'Phone number'} value={to} onChange={(e) => setTo(e.currentTarget.value)} error={fieldError(send.error, 'to')} />
          <CustomerPicker label="Data of customer (optional)" value={customerId} onChange={setCustomerId} />
          <TextInput label="Sample code (optional)" placeholder="SAMPLE-CODE" value={code} onChange={(e) => setCode(e.currentTarget.value)} />
          <SaveErrorAlert error={send.error} />
          {send.data && (
            <Alert color="green" role="status">
              Test message {send.data.id} to {send.data.to}: {send.data.status}
            </Alert>
          )}
          <Button onClick={() => send.mutate()} loading={send.isPending} disabled={!to.trim()}>
            Send
          </Button>
        </Stack>
      </Modal>
    </>
  );
}
