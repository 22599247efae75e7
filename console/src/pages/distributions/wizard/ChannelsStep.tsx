import { ActionIcon, Alert, Anchor, Button, Card, Checkbox, Group, Input, Menu, Select, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { IconBraces, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { Link } from 'react-router';
import { get, type List } from '../../../api/client';
import { itemsOf, type AnyList } from '../../../api/lists';
import type { Template } from '../../../api/templates';
import type { ChannelAccount } from '../../../api/types';
import { fieldError } from '../../../components/errors';
import { CustomerPicker } from '../../../components/pickers';
import { isEmail, newChannel, type ChannelValues, type WizardValues } from './form';
import { MessagePreview } from './MessagePreview';
import { StepErrors } from './StepErrors';

/** Variables a marketer can insert; the API refuses an unknown one when the distribution is saved. */
const VARIABLES = [
  'customer.name',
  'customer.email',
  'customer.source_id',
  'customer.metadata.KEY',
  'voucher.code',
  'voucher.qr_url',
  'voucher.barcode_url',
  'campaign.name',
  'promotion.name',
  'promotion.banner',
  'promotion.discount_description',
  'order.id',
  'order.amount',
  'loyalty.points',
  'gift.balance',
  'reward.value',
  'distribution.name',
  'unsubscribe_url',
];

interface Option {
  id: string;
  type: string;
  channel_id: string;
  label: string;
}

/** Saved templates a channel of this type can send: email templates for every email provider. */
function useTemplatesFor(type: string) {
  const all = useQuery({ queryKey: ['templates', 'picker'], queryFn: () => get<List<Template>>('/v1/templates', { limit: 100 }).then((l) => l.data) });
  return (all.data ?? []).filter((t) => t.channel_type === type || (isEmail(t.channel_type) && isEmail(type)));
}

function ChannelEditor({ form, index, error, customerId }: { form: UseFormReturnType<WizardValues>; index: number; error: unknown; customerId: string }) {
  const channel = form.values.channels[index]!;
  const path = `channels.${index}`;
  const body = useRef<HTMLTextAreaElement>(null);
  const email = isEmail(channel.type);
  const insert = (variable: string) => {
    const el = body.current;
    const token = `{{ ${variable} }}`;
    const at = el?.selectionStart ?? channel.body.length;
    const end = el?.selectionEnd ?? at;
    form.setFieldValue(`${path}.body`, channel.body.slice(0, at) + token + channel.body.slice(end));
  };
  const bodyField = email ? 'html' : 'text';
  const templates = useTemplatesFor(channel.type);
  const saved = Boolean(channel.template_id);
  return (
    <Card withBorder data-testid={`channel-${channel.type}`}>
      <Stack>
        <Title order={4} size="h5">
          {channel.type}
          {channel.channel_id ? ` (account ${channel.channel_id})` : ''}
        </Title>
        <Text size="xs" c="red">
          {fieldError(error, path) ?? fieldError(error, `${path}.type`) ?? fieldError(error, `${path}.channel_id`)}
        </Text>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Stack>
            {channel.type === 'webhook' && <TextInput label="Webhook URL" placeholder="https://crm.example.com/hooks/promo" {...form.getInputProps(`${path}.url`)} error={fieldError(error, `${path}.settings.url`) ?? fieldError(error, `${path}.settings`)} />}
            {channel.type !== 'webhook' && (
              <Select
                label="Saved template"
                description={
                  <>
                    Send a template from the <Anchor component={Link} to="/templates" size="xs">templates library</Anchor>, or write the message here
                  </>
                }
                placeholder="None: write the message here"
                clearable
                data={templates.map((t) => ({ value: t.id, label: t.name }))}
                value={channel.template_id || null}
                onChange={(v) => form.setFieldValue(`${path}.template_id`, v ?? '')}
                error={fieldError(error, `${path}.template_id`)}
              />
            )}
            {email && !saved && <TextInput label="Subject" {...form.getInputProps(`${path}.subject`)} error={fieldError(error, `${path}.template.subject`)} />}
            {!saved && (
              <>
                <Textarea
                  ref={body}
                  label={email ? 'Body (HTML)' : 'Message (text)'}
                  autosize
                  minRows={5}
                  maxRows={16}
                  {...form.getInputProps(`${path}.body`)}
                  error={fieldError(error, `${path}.template.${bodyField}`) ?? fieldError(error, `${path}.template`)}
                />
                <Menu position="bottom-start" withinPortal>
                  <Menu.Target>
                    <Button variant="light" size="xs" leftSection={<IconBraces size={14} />} w="fit-content">
                      Insert variable
                    </Button>
                  </Menu.Target>
                  <Menu.Dropdown mah={300} style={{ overflowY: 'auto' }}>
                    {VARIABLES.map((v) => (
                      <Menu.Item key={v} onClick={() => insert(v)} ff="monospace">
                        {v}
                      </Menu.Item>
                    ))}
                  </Menu.Dropdown>
                </Menu>
              </>
            )}
          </Stack>
          <MessagePreview channel={channel} customerId={customerId} />
        </SimpleGrid>
      </Stack>
    </Card>
  );
}

/** Step 4: channels and their messages, each with a live preview for a customer. */
export function ChannelsStep({ form, error, previewCustomer: customerId, onPreviewCustomer: setCustomerId }: { form: UseFormReturnType<WizardValues>; error: unknown; previewCustomer: string; onPreviewCustomer: (id: string) => void }) {
  const accounts = useQuery({ queryKey: ['channel-accounts', 'picker'], queryFn: () => get<AnyList>('/v1/channels', { limit: 100 }).then((l) => itemsOf<ChannelAccount>(l)) });
  const options: Option[] = [
    { id: 'email', type: 'email', channel_id: '', label: 'Email (built-in)' },
    { id: 'webhook', type: 'webhook', channel_id: '', label: 'Webhook' },
    ...(accounts.data ?? []).map((a) => ({ id: a.id, type: a.type, channel_id: a.id, label: `${a.name} (${a.type})` })),
  ];
  const channels = form.values.channels;
  const enabled = (o: Option) => channels.some((c) => c.type === o.type && c.channel_id === o.channel_id);
  const toggle = (o: Option, on: boolean) => {
    if (on) form.insertListItem('channels', newChannel(o.type, o.channel_id));
    else form.setFieldValue('channels', channels.filter((c: ChannelValues) => !(c.type === o.type && c.channel_id === o.channel_id)));
  };
  return (
    <Stack>
      <StepErrors error={error} step={3} />
      <Input.Wrapper label="Channels" description="Enable one or more; provider accounts are added under Channel accounts" error={fieldError(error, 'channels')}>
        <Group mt="xs" role="group" aria-label="Channels">
          {options.map((o) => (
            <Checkbox key={o.id} label={o.label} checked={enabled(o)} onChange={(e) => toggle(o, e.currentTarget.checked)} />
          ))}
        </Group>
      </Input.Wrapper>
      {channels.length === 0 && <Alert color="gray">No channel enabled yet.</Alert>}
      {channels.length > 0 && <CustomerPicker label="Preview for customer" description="The preview renders each message for this customer, with a sample code" value={customerId} onChange={setCustomerId} w={{ base: '100%', sm: 420 }} />}
      {channels.map((c, i) => (
        <Group key={c.key} align="flex-start" wrap="nowrap">
          <div style={{ flex: 1 }}>
            <ChannelEditor form={form} index={i} error={error} customerId={customerId} />
          </div>
          <ActionIcon variant="subtle" color="red" aria-label={`Remove ${c.type} channel`} onClick={() => form.removeListItem('channels', i)}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
      ))}
    </Stack>
  );
}
