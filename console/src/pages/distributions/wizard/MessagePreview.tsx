import { Loader, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { post } from '../../../api/client';
import type { Preview } from '../../../api/templates';
import { PreviewResult } from '../../../components/PreviewResult';
import { inlineTemplate, type ChannelValues } from './form';

/** Renders the message with POST /v1/templates/preview (nothing is sent or written). */
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
      <PreviewResult preview={preview} frame={{ title: `${channel.type} preview`, style: { width: '100%', height: 320 } }} textWithHtml={false} />
    </Stack>
  );
}
