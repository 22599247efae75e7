import { Badge, Button, Card, Group, NumberInput, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { post, put } from '../../api/client';
import { SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { fieldError, showError, showSuccess } from '../../components/errors';
import { useSession } from '../../session';
import type { Discount } from '../../api/types';
import { discountLabel } from './discount';

export interface Tier {
  id: string;
  name: string;
  banner?: string | null;
  hierarchy: number;
  active?: boolean;
  action?: { discount?: Discount };
}

/** The value a marketer edits for each discount type: percent as is, amounts in currency units (stored in cents). */
function editableValue(d: Discount | undefined): number {
  if (!d) return 0;
  if (d.type === 'PERCENT') return d.percent_off ?? 0;
  if (d.type === 'AMOUNT') return (d.amount_off ?? 0) / 100;
  if (d.type === 'FIXED') return (d.fixed_amount ?? 0) / 100;
  return d.unit_off ?? 1;
}

function withValue(d: Discount, value: number): Discount {
  if (d.type === 'PERCENT') return { ...d, percent_off: value };
  if (d.type === 'AMOUNT') return { ...d, amount_off: Math.round(value * 100) };
  if (d.type === 'FIXED') return { ...d, fixed_amount: Math.round(value * 100) };
  return { ...d, unit_off: value };
}

/** One promotion tier: what it gives, on or off, and its name, banner and value edited in place. */
export function TierCard({ tier, campaignId }: { tier: Tier; campaignId: string }) {
  const { canWrite } = useSession();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(tier.name);
  const [banner, setBanner] = useState(tier.banner ?? '');
  const [value, setValue] = useState<number | string>(editableValue(tier.action?.discount));
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['campaign', campaignId] });
  const save = useMutation({
    mutationFn: () =>
      put(`/v1/promotions/tiers/${tier.id}`, {
        name,
        banner: banner.trim() ? banner : null,
        ...(tier.action?.discount ? { action: { discount: withValue(tier.action.discount, Number(value)) } } : {}),
      }),
    onSuccess: () => {
      showSuccess(`Tier "${name}" saved`);
      setEditing(false);
      refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (on: boolean) => post(`/v1/promotions/tiers/${tier.id}/${on ? 'enable' : 'disable'}`),
    onSuccess: refresh,
    onError: showError('Could not change the tier'),
  });
  const unit = tier.action?.discount?.type === 'PERCENT' ? 'Percent off' : tier.action?.discount?.type === 'UNIT' ? 'Units free' : 'Amount';
  return (
    <Card withBorder data-testid={`tier-${tier.id}`}>
      {editing ? (
        <Stack>
          <TextInput label="Tier name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={fieldError(save.error, 'name')} />
          <TextInput label="Banner" description="What a shop shows customers about the tier" value={banner} onChange={(e) => setBanner(e.currentTarget.value)} error={fieldError(save.error, 'banner')} />
          {tier.action?.discount && <NumberInput label={unit} min={0} value={value} onChange={setValue} w={200} />}
          <SaveErrorAlert error={save.error} />
          <Group>
            <Button onClick={() => save.mutate()} loading={save.isPending}>
              Save tier
            </Button>
            <Button variant="default" onClick={() => setEditing(false)}>
              Cancel
            </Button>
          </Group>
        </Stack>
      ) : (
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Group gap="xs">
              <Text fw={600}>
                {tier.hierarchy}. {tier.name}
              </Text>
              <Badge variant="light">{discountLabel(tier.action?.discount)}</Badge>
            </Group>
            {tier.banner && <Text size="sm">{tier.banner}</Text>}
          </Stack>
          <Group>
            <Switch label="Active" checked={tier.active !== false} disabled={!canWrite || toggle.isPending} onChange={(e) => toggle.mutate(e.currentTarget.checked)} />
            {canWrite && (
              <Button variant="light" size="xs" onClick={() => setEditing(true)}>
                Edit
              </Button>
            )}
          </Group>
        </Group>
      )}
    </Card>
  );
}
