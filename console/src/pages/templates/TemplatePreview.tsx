import { Group, Loader, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { post } from '../../api/client';
import type { Preview, TemplateBody } from '../../api/templates';
import { templateFields } from '../../api/templates';
import { CustomerPicker } from '../../components/pickers';
import { PreviewResult } from '../../components/PreviewResult';

const WIDTHS = { desktop: '100%', mobile: '375px' } as const;

/**
 * The message as a chosen customer gets it, with a sample code, from POST /v1/templates/preview
 * (nothing is sent or written). The HTML goes into an iframe sandboxed with no permissions.
 */
export function TemplatePreview({ body }: { body: TemplateBody }) {
  const [customerId, setCustomerId] = useState('');
  const [code, setCode] = useState('');
  const [device, setDevice] = useState<keyof typeof WIDTHS>('desktop');
  const [template] = useDebouncedValue(templateFields(body), 500);
  const [voucher] = useDebouncedValue(code.trim(), 500);
  const preview = useQuery({
    queryKey: ['template-preview', body.channel_type, customerId, voucher, template],
    enabled: Boolean(customerId),
    queryFn: () => post<Preview>('/v1/templates/preview', { template, channel_type: body.channel_type, customer_id: customerId, ...(voucher ? { voucher_code: voucher } : {}) }),
    placeholderData: keepPreviousData,
    retry: false,
  });
  return (
    <Stack gap="xs" role="region" aria-label="Preview">
      <Group align="flex-end">
        <CustomerPicker label="Preview for customer" value={customerId} onChange={setCustomerId} w={280} />
        <TextInput label="Sample code" placeholder="SAMPLE-CODE" value={code} onChange={(e) => setCode(e.currentTarget.value)} w={160} />
        <SegmentedControl aria-label="Preview width" data={[{ value: 'desktop', label: 'Desktop' }, { value: 'mobile', label: 'Mobile' }]} value={device} onChange={(v) => setDevice(v as keyof typeof WIDTHS)} />
        {preview.isFetching && <Loader size="xs" />}
      </Group>
      {!customerId && (
        <Text c="dimmed" size="sm">
          Pick a customer to see the message as they would get it.
        </Text>
      )}
      <PreviewResult preview={preview} frame={{ title: 'Email preview', device, style: { width: WIDTHS[device], height: 560, alignSelf: 'center' } }} textWithHtml />
    </Stack>
  );
}
