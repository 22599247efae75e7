import { Badge, Group, MultiSelect, Select, Text, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, get } from '../api/client';
import { itemsOf, type AnyList } from '../api/lists';
import type { Campaign, Consent, Customer, PromotionTier, Segment } from '../api/types';

type PickerProps = Omit<SelectProps, 'data' | 'value' | 'onChange'> & { value: string; onChange: (value: string) => void };

/** Pickers list up to 100 items: enough for a console's choices, never a whole collection. */
const PICKER_LIMIT = 100;

export function useSegments(refetchInterval?: number) {
  return useQuery({ queryKey: ['segments', 'picker'], queryFn: () => get<AnyList>('/v1/segments', { limit: PICKER_LIMIT }).then((l) => itemsOf<Segment>(l)), refetchInterval });
}

export function SyncBadge({ segment }: { segment: Pick<Segment, 'sync_status' | 'size'> }) {
  const synced = segment.sync_status === 'synced';
  return (
    <Badge color={synced ? 'green' : 'yellow'} variant="light" data-sync={segment.sync_status}>
      {synced ? `synced · ${segment.size ?? 0} customers` : 'syncing…'}
    </Badge>
  );
}

/** The seed: a segment's "syncing status is displayed next to the segment name". */
export function SegmentSelect({ value, onChange, ...props }: PickerProps) {
  const { data = [], isPending } = useSegments(3000);
  const byId = new Map(data.map((s) => [s.id, s]));
  const selected = byId.get(value);
  return (
    <Select
      searchable
      nothingFoundMessage={isPending ? 'Loading…' : 'No segment'}
      data={data.map((s) => ({ value: s.id, label: s.name }))}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
      renderOption={({ option }) => {
        const s = byId.get(option.value);
        return (
          <Group justify="space-between" w="100%" wrap="nowrap">
            <Text size="sm">{option.label}</Text>
            {s && <SyncBadge segment={s} />}
          </Group>
        );
      }}
      rightSectionWidth={selected ? 190 : undefined}
      rightSection={selected ? <SyncBadge segment={selected} /> : undefined}
      {...props}
    />
  );
}

/** Unique-code campaigns only (a PROMOTION has no codes to publish), or every campaign for campaign-scoped triggers. */
export function CampaignSelect({ value, onChange, uniqueCodesOnly, ...props }: PickerProps & { uniqueCodesOnly?: boolean }) {
  const { data = [], isPending } = useQuery({ queryKey: ['campaigns', 'picker'], queryFn: () => get<AnyList>('/v1/campaigns', { limit: PICKER_LIMIT }).then((l) => itemsOf<Campaign>(l)) });
  const shown = uniqueCodesOnly ? data.filter((c) => c.campaign_type !== 'PROMOTION') : data;
  return (
    <Select
      searchable
      nothingFoundMessage={isPending ? 'Loading…' : 'No campaign'}
      data={shown.map((c) => ({ value: c.id, label: `${c.name}${c.vouchers_count !== undefined ? ` (${c.vouchers_count} codes, ${c.type ?? ''})` : ''}` }))}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
      {...props}
    />
  );
}

export function TierSelect({ value, onChange, ...props }: PickerProps) {
  const { data = [], isPending } = useQuery({ queryKey: ['promotion-tiers', 'picker'], queryFn: () => get<AnyList>('/v1/promotions/tiers', { limit: PICKER_LIMIT }).then((l) => itemsOf<PromotionTier>(l)) });
  return (
    <Select
      searchable
      nothingFoundMessage={isPending ? 'Loading…' : 'No promotion tier: create a promotion campaign first'}
      data={data.map((t) => ({ value: t.id, label: t.banner ? `${t.name} — ${t.banner}` : t.name }))}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
      {...props}
    />
  );
}

function customerLabel(c: Customer): string {
  return [c.name, c.email, c.source_id].filter(Boolean).join(' · ') || c.id;
}

/**
 * Finds customers by exact id, or by the list API's ?q= search (start of name, email, source id or phone,
 * any case), ten at a time, so a search never pulls a whole collection into the browser.
 */
export function CustomerPicker({ value, onChange, ...props }: PickerProps) {
  const [search, setSearch] = useState('');
  const [term] = useDebouncedValue(search.trim(), 300);
  const found = useQuery({
    queryKey: ['customers', 'search', term],
    enabled: term.length > 0,
    queryFn: async () => {
      const byId = get<Customer>(`/v1/customers/${encodeURIComponent(term)}`).then((c) => [c], (err) => (err instanceof ApiError && err.status < 500 ? [] : Promise.reject(err)));
      const [one, matching] = await Promise.all([byId, term.length <= 100 ? get<AnyList>('/v1/customers', { q: term, limit: 10 }) : undefined]);
      const all = [...one, ...itemsOf<Customer>(matching)];
      return [...new Map(all.map((c) => [c.id, c])).values()];
    },
  });
  const selected = useQuery({ queryKey: ['customer', value], enabled: Boolean(value), queryFn: () => get<Customer>(`/v1/customers/${encodeURIComponent(value)}`) });
  const options = new Map<string, string>();
  if (selected.data) options.set(selected.data.id, customerLabel(selected.data));
  for (const c of found.data ?? []) options.set(c.id, customerLabel(c));
  return (
    <Select
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      nothingFoundMessage={term ? (found.isFetching ? 'Searching…' : 'No customer whose id, name, email, source id or phone starts so') : 'Type the start of a name, email, source id or phone, or an id'}
      data={[...options].map(([v, label]) => ({ value: v, label }))}
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
      {...props}
    />
  );
}

interface ConsentsAnswer {
  groups: { data: Array<{ id: string; name: string }> };
  consents: { data: Consent[] };
}

export function ConsentMultiSelect({ value, onChange, ...props }: { value: string[]; onChange: (v: string[]) => void; label: string; description?: string; error?: string; disabled?: boolean }) {
  const { data, isPending } = useQuery({ queryKey: ['consents'], queryFn: () => get<ConsentsAnswer>('/v1/consents') });
  const options = [
    { group: 'Consents', items: (data?.consents.data ?? []).map((c) => ({ value: c.id, label: c.name })) },
    { group: 'Consent groups', items: (data?.groups.data ?? []).map((g) => ({ value: g.id, label: g.name })) },
  ].filter((g) => g.items.length > 0);
  return <MultiSelect searchable data={options} value={value} onChange={onChange} nothingFoundMessage={isPending ? 'Loading…' : 'No consent defined yet'} {...props} />;
}
