import { z } from 'zod';
import { normalizePhone } from '../channels/http-provider';
import { scrubSecrets } from '../channels/secrets';
import type { ChannelAccountService } from '../channels/channel-account-service';
import type { ChannelAccount, ChannelRegistry, SendResult } from '../channels/channel';
import type { CustomerService } from '../customers/customer-service';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { CustomerDoc } from '../models/customer';
import type { MessageTemplate } from '../models/distribution';
import type { Infrastructure } from '../infrastructure';
import type { TestMessageDoc } from '../models/test-message';
import { SAMPLE_CODE, type TemplateService } from './template-service';
import { channelFamily } from './validate-template';

export interface TestSendInput {
  /** A saved template, or give `template`. */
  template_id?: string | undefined;
  template?: MessageTemplate | undefined;
  /** A provider account (`/v1/channels`) to send through; its type is the channel's. */
  channel_id?: string | undefined;
  /** A channel type that sends without an account (`email`); default: the saved template's, else email. */
  channel_type?: string | undefined;
  /** The one email address or phone number it goes to. */
  to: string;
  /** A customer whose data fills the variables; default: a sample customer. */
  customer_id?: string | undefined;
  voucher_code?: string | undefined;
}

const email = z.email();

function refused(field: string, reason: string): DomainError {
  return DomainError.invalid('invalid_test_message', 'Invalid test message', `${field}: ${reason}`, {
    errors: [{ field, reason }],
  });
}

/** Who a test message is rendered for when no customer is named: obviously not a real one. */
function sampleCustomer(to: string, family: string): CustomerDoc {
  const now = new Date();
  return {
    _id: 'cust_sample',
    source_id_key: 'sample',
    name: 'Sample Customer',
    ...(family === 'email' ? { email: to } : { phone: to }),
    metadata: {},
    summary: {},
    loyalty: {},
    consents: {},
    unsubscribed_channels: [],
    segments: [],
    version: 1,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Renders a template for a customer (or a sample one) and a code (default SAMPLE-CODE: none is
 * published) and sends it to one address through the chosen channel, recorded as a test
 * message — in no distribution's report and no customer's history. Everything is checked
 * before the record is written, so bad input changes nothing. A provider's refusal is the
 * record's `failed` status and error, not an error answer: the request itself was fine.
 */
/** What a test send reads and sends through. */
export type TestSendContext = Pick<Infrastructure, 'models'> & {
  templates: TemplateService;
  customers: CustomerService;
  channels: ChannelRegistry;
  channelAccounts: ChannelAccountService;
};

export async function sendTestMessage(ctx: TestSendContext, input: TestSendInput): Promise<TestMessageDoc> {
  const saved = input.template_id ? await ctx.templates.get(input.template_id) : undefined;
  const account = input.channel_id ? await ctx.channelAccounts.get(input.channel_id) : undefined;
  if (account && input.channel_type !== undefined && input.channel_type !== account.type)
    throw refused('channel_type', `channel ${account._id} is a ${account.type} account, not ${input.channel_type}`);
  const channelType = account?.type ?? input.channel_type ?? saved?.channel_type ?? 'email';
  const channel = ctx.channels.get(channelType);
  if (!channel)
    throw refused(
      input.channel_type ? 'channel_type' : 'channel_id',
      `unknown channel type ${channelType} (available: ${ctx.channels.types().join(', ')})`,
    );
  const family = channelFamily(channelType);
  if (family !== 'email' && family !== 'sms')
    throw refused(
      'channel_id',
      `a test goes to one email address or phone number; a ${channelType} channel sends elsewhere`,
    );
  if (channel.account && !channel.account.optional && !account)
    throw refused(
      'channel_id',
      `channel type ${channelType} sends through a provider account: give channel_id (see GET /v1/channels)`,
    );
  if (!channel.account && account) throw refused('channel_id', `channel type ${channelType} sends without an account`);
  if (saved && channelFamily(saved.channel_type) !== family)
    throw refused(
      'channel_id',
      `template ${saved._id} is a ${saved.channel_type} template: a ${channelType} channel cannot send it`,
    );

  const to =
    family === 'email'
      ? email.safeParse(input.to.trim()).success
        ? input.to.trim()
        : undefined
      : normalizePhone(input.to);
  if (!to)
    throw refused(
      'to',
      family === 'email'
        ? `${channelType} sends to an email address`
        : `${channelType} sends to a phone number in international form, e.g. +447700900123`,
    );

  const resolved = await ctx.templates.resolve({
    template: input.template,
    template_id: input.template_id,
    channel_type: channelType,
  });
  const customer = input.customer_id ? await ctx.customers.get(input.customer_id) : sampleCustomer(to, family);
  const { rendered, variables } = await ctx.templates.render(resolved, customer, input.voucher_code);

  const record: TestMessageDoc = {
    _id: newId('tmsg'),
    ...(saved ? { template_id: saved._id } : {}),
    channel_type: channelType,
    ...(account ? { channel_id: account._id } : {}),
    to,
    ...(input.customer_id ? { customer_id: customer._id } : {}),
    voucher_code: input.voucher_code ?? SAMPLE_CODE,
    status: 'queued',
    created_at: new Date(),
    updated_at: new Date(),
  };
  // Queued before the provider is called, like every message: a crash mid-send leaves a trace.
  await ctx.models.TestMessage.create([record], { timestamps: false });

  let decrypted: ChannelAccount | undefined;
  let result: SendResult;
  const found = account ? (await ctx.channelAccounts.forDelivery([account._id])).get(account._id) : undefined;
  if (account && !found?.account) result = { status: 'permanent', error: 'channel_credentials_undecryptable' };
  else {
    decrypted = found?.account;
    try {
      result = await channel.send({
        id: record._id,
        customer,
        to,
        ...(rendered.subject !== undefined ? { subject: rendered.subject } : {}),
        ...(rendered.html !== undefined ? { html: rendered.html } : {}),
        ...(rendered.text !== undefined ? { text: rendered.text } : {}),
        variables,
        settings: {},
        ...(decrypted ? { account: decrypted } : {}),
      });
    } catch (err) {
      result = { status: 'transient', error: err instanceof Error ? err.message : String(err) };
    }
  }
  const now = new Date();
  const outcome: Partial<TestMessageDoc> =
    result.status === 'sent'
      ? {
          status: 'sent',
          sent_at: now,
          ...(result.providerMessageId ? { provider_message_id: result.providerMessageId } : {}),
        }
      : { status: 'failed', error: decrypted ? scrubSecrets(result.error, decrypted.credentials) : result.error };
  const updated = await ctx.models.TestMessage.findByIdAndUpdate(
    record._id,
    { $set: { ...outcome, updated_at: now } },
    { returnDocument: 'after', timestamps: false },
  ).lean();
  return updated ?? { ...record, ...outcome };
}
