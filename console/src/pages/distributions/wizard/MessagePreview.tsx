import { Alert, Code, Loader, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { post } from '../../../api/client';
import { inlineTemplate, type ChannelValues } from './form';

interface Preview {
  channel_type: string;
  subject: string | null;
  html: string | null;
  text: string | null;
}

/**
 * Renders the message with POST /v1/templates/preview (nothing is sent or written). The email
 * HTML goes into an iframe sandboxed with no permissions: no script runs, no form submits, and
 * it cannot reach the console's page.
 */
export function MessagePreview({ channel, customerId }: { channel: ChannelValues; customerId: string }) {
  // A saved template previews as it is saved; an inline one as it is being written.
  const [source] = useDebouncedValue(channel.template_id ? { template_id: channel.template_id } : { template: inlineTemplate(channel) }, 400);
  const preview = useQuery({
    queryKey: ['preview', channel.type, customerId, source],
    enabled: Boolean(customerId),
    queryFn: () => post<Preview>('/v1/templates/preview', { ...source, channel_type: channel.type, customer_id: customerId }),
    placeholderData: keepPreviousData,
    retry: false,
  });
  if (!customerId) return <Text c="dimmed" size="sm">Pick a customer above to see a live preview.</Text>;
  return (
    <Stack gap="xs" aria-label={`Preview of the ${channel.type} message`} role="region">
      <Text size="sm" fw={600}>
        Preview {preview.isFetching && <Loader size="xs" />}
      </Text>
      {preview.error && (
        <Alert color="red" role="alert">
          {preview.error.message}
        </Alert>
      )}
      {preview.data?.subject && (
        <Text size="sm">
          Subject: <b data-testid="preview-subject">{preview.data.subject}</b>
        </Text>
      )}
      {preview.data?.html ? (
        <iframe title={`${channel.type} preview`} sandbox="" srcDoc={preview.data.html} style={{ width: '100%', height: 320, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 4, background: 'white' }} />
      ) : (
        preview.data?.text && (
          <Code block data-testid="preview-text">
            {preview.data.text}
          </Code>
        )
      )}
    </Stack>
  );
}
