import { Badge, Button, Card, Group, NumberInput, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { get, post, put } from '../../api/client';
import type { Campaign } from '../../api/types';
import { SaveErrorAlert } from '../../components/FieldErrorsAlert';
import { QueryState, fieldError, showError, showSuccess } from '../../components/errors';
import { useSession } from '../../session';
import { formatDate } from '../distributions/labels';
import { PoolUse } from './CampaignList';
import { discountLabel } from './discount';
import { TierCard, type Tier } from './TierCard';

/**
 * A campaign: what it gives, its code pool (and adding codes to it — what a distribution
 * stopped for pool_exhausted waits for), on/off, description and dates; a promotion's tiers.
 */
export function CampaignDetail() {
  const { id = '' } = useParams();
  // Read again while codes are generated, so the generation status and pool catch up on their own.
  const query = useQuery({
    queryKey: ['campaign', id],
    queryFn: () => get<Campaign>(`/v1/campaigns/${id}`),
    refetchInterval: (q) => (q.state.data?.vouchers_generation_status === 'IN_PROGRESS' ? 2000 : false),
  });
  const campaign = query.data;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{campaign?.name ?? 'Campaign'}</Title>
        <Button component={Link} to="/campaigns" variant="default">
          Back to campaigns
        </Button>
      </Group>
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        {campaign && <CampaignBody campaign={campaign} />}
      </QueryState>
    </Stack>
  );
}

function CampaignBody({ campaign }: { campaign: Campaign }) {
  const promotion = campaign.campaign_type === 'PROMOTION';
  return (
    <Stack>
      <Summary campaign={campaign} />
      {promotion ? <Tiers campaignId={campaign.id} /> : <Pool campaign={campaign} />}
      <Details campaign={campaign} />
    </Stack>
  );
}

function Summary({ campaign }: { campaign: Campaign }) {
  const { canWrite } = useSession();
  const queryClient = useQueryClient();
  const active = campaign.active !== false;
  const toggle = useMutation({
    mutationFn: () => post(`/v1/campaigns/${campaign.id}/${active ? 'disable' : 'enable'}`),
    onSuccess: () => {
      showSuccess(active ? 'Campaign disabled: its codes can no longer be published or redeemed' : 'Campaign enabled');
      void queryClient.invalidateQueries({ queryKey: ['campaign', campaign.id] });
    },
    onError: showError('Could not change the campaign'),
  });
  return (
    <Card withBorder>
      <Group justify="space-between" align="flex-start">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="lg">
          <Fact label="Kind" value={`${campaign.campaign_type ?? '—'} · ${campaign.type === 'AUTO_UPDATE' ? 'auto-update' : 'static'}`} />
          <Fact label="Gives" value={campaign.campaign_type === 'PROMOTION' ? 'see its tiers' : discountLabel(campaign.voucher?.discount)} />
          <Fact label="Valid" value={`${campaign.start_date ? formatDate(campaign.start_date) : 'now'} → ${campaign.expiration_date ? formatDate(campaign.expiration_date) : 'no end'}`} />
        </SimpleGrid>
        <Group>
          <Badge color={active ? 'green' : 'gray'} data-testid="campaign-active">
            {active ? 'active' : 'disabled'}
          </Badge>
          {canWrite && (
            <Button variant="light" color={active ? 'red' : 'green'} onClick={() => toggle.mutate()} loading={toggle.isPending}>
              {active ? 'Disable' : 'Enable'}
            </Button>
          )}
        </Group>
      </Group>
    </Card>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value}</Text>
    </Stack>
  );
}

/** The pool, and its two ways to grow: generated codes (asynchronous) or one code of the marketer's choosing. */
function Pool({ campaign }: { campaign: Campaign }) {
  const { canWrite } = useSession();
  const queryClient = useQueryClient();
  const [count, setCount] = useState<number | string>(100);
  const [code, setCode] = useState('');
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['campaign', campaign.id] });
  const generate = useMutation({
    mutationFn: () => post(`/v1/campaigns/${campaign.id}/vouchers`, { vouchers_count: Number(count) }),
    onSuccess: () => {
      showSuccess(`${count} codes are being generated`);
      refresh();
    },
  });
  const addOne = useMutation({
    mutationFn: () => post(`/v1/campaigns/${campaign.id}/vouchers/${encodeURIComponent(code.trim())}`, {}),
    onSuccess: () => {
      showSuccess(`Code ${code.trim()} added`);
      setCode('');
      refresh();
    },
  });
  return (
    <Card withBorder>
      <Stack>
        <Group justify="space-between">
          <Title order={4}>Code pool</Title>
          <PoolUse id={campaign.id} />
        </Group>
        <Text size="sm" c="dimmed">
          {campaign.type === 'AUTO_UPDATE'
            ? 'Auto-update: new codes are generated when the pool is used up.'
            : 'Static: a distribution stops when the codes run out. Add codes here, then resume it.'}{' '}
          Generation: {campaign.vouchers_generation_status ?? '—'}
        </Text>
        {canWrite && (
          <Group align="flex-end">
            <NumberInput label="Generate codes" min={1} max={1000000} allowDecimal={false} value={count} onChange={setCount} w={180} error={fieldError(generate.error, 'vouchers_count')} />
            <Button onClick={() => generate.mutate()} loading={generate.isPending}>
              Generate
            </Button>
            <TextInput label="Or add one code" placeholder="SPRING-GIFT-1" value={code} onChange={(e) => setCode(e.currentTarget.value)} w={220} />
            <Button variant="light" onClick={() => addOne.mutate()} loading={addOne.isPending} disabled={!code.trim()}>
              Add code
            </Button>
          </Group>
        )}
        <SaveErrorAlert error={generate.error ?? addOne.error} />
      </Stack>
    </Card>
  );
}

function Tiers({ campaignId }: { campaignId: string }) {
  const query = useQuery({ queryKey: ['campaign', campaignId, 'tiers'], queryFn: () => get<{ tiers: Tier[] }>(`/v1/promotions/${campaignId}/tiers`) });
  return (
    <Stack>
      <Title order={4}>Tiers</Title>
      <QueryState isPending={query.isPending} error={query.error} retry={() => void query.refetch()}>
        {(query.data?.tiers ?? []).map((t) => (
          <TierCard key={t.id} tier={t} campaignId={campaignId} />
        ))}
      </QueryState>
    </Stack>
  );
}

/** An ISO date as a `datetime-local` input shows it, in the browser's time zone; '' for none. */
function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Description and dates; new dates reach the codes not published yet. */
function Details({ campaign }: { campaign: Campaign }) {
  const { canWrite } = useSession();
  const queryClient = useQueryClient();
  const [description, setDescription] = useState(campaign.description ?? '');
  const [start, setStart] = useState(toLocalInput(campaign.start_date));
  const [end, setEnd] = useState(toLocalInput(campaign.expiration_date));
  useEffect(() => {
    setDescription(campaign.description ?? '');
    setStart(toLocalInput(campaign.start_date));
    setEnd(toLocalInput(campaign.expiration_date));
  }, [campaign]);
  const save = useMutation({
    mutationFn: () =>
      put(`/v1/campaigns/${campaign.id}`, {
        description: description.trim() ? description : null,
        start_date: start ? new Date(start).toISOString() : null,
        expiration_date: end ? new Date(end).toISOString() : null,
      }),
    onSuccess: () => {
      showSuccess('Campaign saved');
      void queryClient.invalidateQueries({ queryKey: ['campaign', campaign.id] });
    },
  });
  return (
    <Card withBorder>
      <Stack maw={640}>
        <Title order={4}>Details</Title>
        <Textarea label="Description" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} disabled={!canWrite} error={fieldError(save.error, 'description')} />
        <Group grow>
          <TextInput type="datetime-local" label="Start" value={start} onChange={(e) => setStart(e.currentTarget.value)} disabled={!canWrite} error={fieldError(save.error, 'start_date')} />
          <TextInput type="datetime-local" label="Expires" value={end} onChange={(e) => setEnd(e.currentTarget.value)} disabled={!canWrite} error={fieldError(save.error, 'expiration_date')} />
        </Group>
        <SaveErrorAlert error={save.error} />
        {canWrite && (
          <Button w="fit-content" onClick={() => save.mutate()} loading={save.isPending}>
            Save details
          </Button>
        )}
      </Stack>
    </Card>
  );
}
