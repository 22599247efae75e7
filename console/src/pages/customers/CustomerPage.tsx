import { Anchor, Badge, Card, Code, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Section } from '../../components/Section';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { get, type List } from '../../api/client';
import { itemsOf, type AnyList } from '../../api/lists';
import type { Customer, Message } from '../../api/types';
import { DataTable } from '../../components/DataTable';
import { QueryState } from '../../components/errors';
import { MetadataCard } from './MetadataCard';
import { formatDate } from '../distributions/labels';

interface CustomerConsents {
  consents: Array<{ id: string; name: string; granted: boolean; updated_at: string }>;
  unsubscribed_channels: string[];
}

interface Voucher {
  code: string;
  campaign?: string;
  campaign_id?: string;
  publish?: unknown;
}

function Field({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text>{value || '—'}</Text>
    </div>
  );
}

/** Everything about one customer: fields, metadata, consents, segments, codes held and messages received. */
export function CustomerPage() {
  const id = useParams().id!;
  const customer = useQuery({ queryKey: ['customer', id], queryFn: () => get<Customer & { address?: Record<string, string | null> | null }>(`/v1/customers/${encodeURIComponent(id)}`) });
  const consents = useQuery({ queryKey: ['customer', id, 'consents'], queryFn: () => get<CustomerConsents>(`/v1/customers/${encodeURIComponent(id)}/consents`) });
  const segments = useQuery({ queryKey: ['customer', id, 'segments'], queryFn: () => get<AnyList>(`/v1/customers/${encodeURIComponent(id)}/segments`) });
  const codes = useQuery({ queryKey: ['customer', id, 'vouchers'], queryFn: () => get<AnyList>('/v1/vouchers', { customer: id, limit: 50 }) });
  const messages = useQuery({ queryKey: ['customer', id, 'messages'], queryFn: () => get<List<Message & { distribution_id: string }>>(`/v1/customers/${encodeURIComponent(id)}/messages`, { limit: 50 }) });
  const c = customer.data;
  return (
    <QueryState isPending={customer.isPending} error={customer.error} retry={() => void customer.refetch()}>
      {c && (
        <Stack>
          <Title order={2}>{c.name || c.source_id || c.id}</Title>
          <Card withBorder>
            <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
              <Field label="Id" value={<Text span ff="monospace" size="sm" style={{ wordBreak: 'break-all' }}>{c.id}</Text>} />
              <Field label="Source id" value={c.source_id} />
              <Field label="Email" value={c.email} />
              <Field label="Phone" value={c.phone} />
              <Field label="City" value={c.address?.city} />
              <Field label="Country" value={c.address?.country} />
              <Field label="Created" value={formatDate(c.created_at)} />
            </SimpleGrid>
          </Card>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <MetadataCard customer={c} />
            <Section title="Consents" state={consents}>
                <Stack gap="xs">
                  {consents.data?.consents.length ? (
                    consents.data.consents.map((k) => (
                      <Group key={k.id} gap="xs">
                        <Badge color={k.granted ? 'green' : 'gray'} variant="light">
                          {k.granted ? 'granted' : 'revoked'}
                        </Badge>
                        <Text size="sm">{k.name}</Text>
                        <Text size="xs" c="dimmed">
                          {formatDate(k.updated_at)}
                        </Text>
                      </Group>
                    ))
                  ) : (
                    <Text c="dimmed">No consent answered yet</Text>
                  )}
                  <Text size="sm">
                    {consents.data?.unsubscribed_channels.length ? `Unsubscribed from: ${consents.data.unsubscribed_channels.join(', ')}` : 'Subscribed to every channel'}
                  </Text>
                </Stack>
            </Section>
            <Section title="Segments" state={segments}>
                <Group gap="xs">
                  {itemsOf<{ id: string; name: string }>(segments.data).map((s) => (
                    <Badge key={s.id} variant="light" component={Link} to={`/segments/${s.id}`} style={{ cursor: 'pointer' }}>
                      {s.name}
                    </Badge>
                  ))}
                  {itemsOf(segments.data).length === 0 && <Text c="dimmed">In no segment</Text>}
                </Group>
            </Section>
            <Section title="Codes held" state={codes}>
                <Group gap="xs">
                  {itemsOf<Voucher>(codes.data).map((v) => (
                    <Code key={v.code}>{v.code}</Code>
                  ))}
                  {itemsOf(codes.data).length === 0 && <Text c="dimmed">No code</Text>}
                </Group>
            </Section>
          </SimpleGrid>
          <Section title="Messages received" state={messages}>
              <DataTable
                label="Messages received"
                rows={messages.data?.data ?? []}
                empty="No message yet"
                columns={[
                  {
                    header: 'Distribution',
                    cell: (m) => (
                      <Anchor component={Link} to={`/distributions/${m.distribution_id}`}>
                        {m.distribution_id}
                      </Anchor>
                    ),
                  },
                  { header: 'Channel', cell: (m) => m.channel_type },
                  { header: 'Status', cell: (m) => `${m.status}${m.reason ? ` (${m.reason})` : ''}` },
                  { header: 'Code', cell: (m) => m.voucher_code ?? '—', td: { ff: 'monospace' } },
                  { header: 'When', cell: (m) => formatDate(m.sent_at ?? m.created_at) },
                ]}
              />
          </Section>
        </Stack>
      )}
    </QueryState>
  );
}
