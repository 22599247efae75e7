import { ActionIcon, Button, Card, Group, NumberInput, Stack, TextInput, Title } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { post } from '../../api/client';
import { FormActions } from '../../components/FormActions';
import { fieldError, showSuccess } from '../../components/errors';

interface Tier {
  key: string;
  name: string;
  banner: string;
  percent: number | string;
}

let keys = 0;
const newTier = (): Tier => ({ key: `t${(keys += 1)}`, name: '', banner: '', percent: 10 });

/** A PROMOTION campaign (codeless in-cart discounts) with its tiers, for "notify about a promotion" distributions. */
export function PromotionForm() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [tiers, setTiers] = useState<Tier[]>([newTier()]);
  const update = (key: string, patch: Partial<Tier>) => setTiers((all) => all.map((t) => (t.key === key ? { ...t, ...patch } : t)));
  const save = useMutation({
    mutationFn: () =>
      post('/v1/campaigns', {
        name,
        campaign_type: 'PROMOTION',
        promotion: { tiers: tiers.map((t) => ({ name: t.name, banner: t.banner, action: { discount: { type: 'PERCENT', percent_off: Number(t.percent) } } })) },
      }),
    onSuccess: () => {
      showSuccess('Promotion created');
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
      void queryClient.invalidateQueries({ queryKey: ['promotion-tiers'] });
      navigate('/campaigns');
    },
  });
  const error = save.error;
  return (
    <Stack maw={720}>
      <Title order={2}>New promotion</Title>
      <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(error, 'name')} />
      {tiers.map((t, i) => (
        <Card withBorder key={t.key}>
          <Group align="flex-end">
            <TextInput label={`Tier ${i + 1} name`} value={t.name} onChange={(e) => update(t.key, { name: e.currentTarget.value })} error={fieldError(error, `promotion.tiers.${i}.name`)} />
            <TextInput label={`Tier ${i + 1} banner`} value={t.banner} onChange={(e) => update(t.key, { banner: e.currentTarget.value })} w={240} />
            <NumberInput label={`Tier ${i + 1} percent off`} min={0} max={100} value={t.percent} onChange={(v) => update(t.key, { percent: v })} w={140} />
            <ActionIcon variant="subtle" color="red" aria-label={`Remove tier ${i + 1}`} onClick={() => setTiers((all) => all.filter((x) => x.key !== t.key))} mb={4}>
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        </Card>
      ))}
      <Button variant="light" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => setTiers((all) => [...all, newTier()])}>
        Add tier
      </Button>
      <FormActions error={error} save={() => save.mutate()} saving={save.isPending} label="Create promotion" back={{ to: '/campaigns', label: 'Back to campaigns' }} />
    </Stack>
  );
}
