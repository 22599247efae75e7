import { Group, NumberInput, SegmentedControl, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { post } from '../../api/client';
import type { Campaign } from '../../api/types';
import { FormActions } from '../../components/FormActions';
import { fieldError, showSuccess } from '../../components/errors';
import { SegmentSelect } from '../../components/pickers';

/**
 * A bulk unique-code campaign as the seed describes it: code pattern, count, the auto-update
 * option, and the validation rule "customer segment is …" (a rule created and assigned to it).
 */
export function CampaignForm() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [pattern, setPattern] = useState('PROMO-####');
  const [count, setCount] = useState<number | string>(100);
  const [autoUpdate, setAutoUpdate] = useState(true);
  const [discount, setDiscount] = useState<'PERCENT' | 'AMOUNT'>('PERCENT');
  const [value, setValue] = useState<number | string>(10);
  const [segmentId, setSegmentId] = useState('');
  const save = useMutation({
    mutationFn: async () => {
      const campaign = await post<Campaign>('/v1/campaigns', {
        name,
        campaign_type: 'DISCOUNT_COUPONS',
        type: autoUpdate ? 'AUTO_UPDATE' : 'STATIC',
        vouchers_count: Number(count),
        voucher: {
          type: 'DISCOUNT_VOUCHER',
          discount: discount === 'PERCENT' ? { type: 'PERCENT', percent_off: Number(value) } : { type: 'AMOUNT', amount_off: Math.round(Number(value) * 100) },
          ...(pattern.trim() ? { code_config: { pattern: pattern.trim() } } : {}),
        },
      });
      if (segmentId) {
        const rule = await post<{ id: string }>('/v1/validation-rules', { name: `${name}: customer segment`, rules: { '1': { name: 'customer.segment', conditions: { $is: [segmentId] } } } });
        await post(`/v1/validation-rules/${rule.id}/assignments`, { campaign: campaign.id });
      }
      return campaign;
    },
    onSuccess: () => {
      showSuccess('Campaign created: its codes are being generated');
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
      navigate('/campaigns');
    },
  });
  const error = save.error;
  return (
    <Stack maw={640}>
      <Title order={2}>New unique-code campaign</Title>
      <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} />
      <TextInput label="Code pattern" description="# stands for a random character, e.g. SPRING-####" value={pattern} onChange={(e) => setPattern(e.currentTarget.value)} error={fieldError(error, 'voucher.code_config.pattern')} />
      <NumberInput label="Number of codes" min={1} max={1000000} allowDecimal={false} value={count} onChange={setCount} error={fieldError(error, 'vouchers_count')} />
      <Switch
        label="Auto-update: generate new codes when the pool is used up"
        description="Off: a distribution stops when the codes run out, and the operator is told by email"
        checked={autoUpdate}
        onChange={(e) => setAutoUpdate(e.currentTarget.checked)}
      />
      <Group align="flex-end">
        <SegmentedControl aria-label="Discount type" value={discount} onChange={(v) => setDiscount(v as 'PERCENT' | 'AMOUNT')} data={[{ value: 'PERCENT', label: '% off' }, { value: 'AMOUNT', label: 'amount off' }]} />
        <NumberInput label={discount === 'PERCENT' ? 'Percent off' : 'Amount off'} min={0} value={value} onChange={setValue} w={160} error={fieldError(error, 'voucher.discount.percent_off') ?? fieldError(error, 'voucher.discount.amount_off')} />
      </Group>
      <SegmentSelect label="Validation rule: customer segment is" description="Optional: only members of this segment can redeem the codes" value={segmentId} onChange={setSegmentId} clearable />
      <Text size="xs" c="dimmed">
        The rule is what a distribution's “follow the campaign's segment” option uses.
      </Text>
      <FormActions error={error} save={() => save.mutate()} saving={save.isPending} label="Create campaign" back={{ to: '/campaigns', label: 'Back to campaigns' }} />
    </Stack>
  );
}
