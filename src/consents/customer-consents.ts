import type { CustomerService } from '../customers/customer-service';
import { customerRef } from '../customers/customer-json';
import { raiseEvent, type PendingEvent } from '../events/outbox';
import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';
import type { ConsentCatalog } from './consent-catalog';
import {
  channelsAfter,
  consentChanges,
  decisionsOf,
  sameChannels,
  type ChannelAction,
  type ConsentDecisions,
} from './consent-changes';
import type { CustomerConsentsInput } from './consent-input';
import { consentRef } from './consent-json';

export interface CustomerConsentsView {
  consents: Array<{ id: string; name: string; granted: boolean; updated_at: string }>;
  unsubscribed_channels: string[];
}

/**
 * A customer's consent answers and channel opt-outs. Every change is a customer write
 * (`CustomerService.mutate`), so its events land in the customer's outbox atomically with
 * it, and a write that changes nothing is skipped rather than bumping the version.
 */
export class CustomerConsents {
  constructor(
    private readonly models: Models,
    private readonly customers: CustomerService,
    private readonly catalog: ConsentCatalog,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async view(idOrSourceId: string): Promise<CustomerConsentsView> {
    const customer = await this.customers.get(idOrSourceId);
    return this.viewOf(customer);
  }

  /** Voucherify's `PUT /customers/:id/consents`: `{cnst_…: bool, cnstgr_…: bool, unsubscribed?: bool}`. */
  async update(idOrSourceId: string, body: CustomerConsentsInput): Promise<void> {
    const customer = await this.customers.get(idOrSourceId);
    const { unsubscribed, ...answers } = body;
    const { consents, groups } = await this.catalog.resolve(Object.keys(answers), true);
    const channel: ChannelAction | undefined =
      unsubscribed === undefined ? undefined : { action: unsubscribed ? 'unsubscribe' : 'resubscribe', channel: 'all' };
    await this.apply(customer, decisionsOf(answers, consents, groups), channel);
  }

  async changeChannel(idOrSourceId: string, channel: ChannelAction): Promise<CustomerConsentsView> {
    const customer = await this.customers.get(idOrSourceId);
    return this.viewOf(await this.apply(customer, new Map(), channel));
  }

  private async apply(
    customer: CustomerDoc,
    decisions: ConsentDecisions,
    channel: ChannelAction | undefined,
  ): Promise<CustomerDoc> {
    if (!this.changes(customer, decisions, channel).changed) return customer;
    return this.customers.mutate(customer._id, (current) => {
      const { consents, channels, changed } = this.changes(current, decisions, channel);
      // A concurrent write made the same change first; mutate cannot skip, so this costs one version bump, no events.
      if (!changed) return {};
      const set: Record<string, unknown> = {};
      if (Object.keys(consents.entries).length > 0) set.consents = { ...current.consents, ...consents.entries };
      if (!sameChannels(channels, current.unsubscribed_channels)) set.unsubscribed_channels = channels;
      return {
        set,
        events: (next) => {
          const raise = (type: string, data: Record<string, unknown>): PendingEvent =>
            raiseEvent(
              type,
              { type: 'customer', id: next._id },
              { customer: customerRef(next), ...data },
              next._id,
              next.updated_at,
            );
          const raised: PendingEvent[] = [];
          if (consents.given.length)
            raised.push(raise('customer.consents.given', { consents: consents.given.map(consentRef) }));
          if (consents.revoked.length)
            raised.push(raise('customer.consents.revoked', { consents: consents.revoked.map(consentRef) }));
          if (channel && set.unsubscribed_channels) {
            raised.push(
              raise(channel.action === 'unsubscribe' ? 'customer.unsubscribed' : 'customer.resubscribed', {
                channel: channel.channel,
                unsubscribed_channels: channels,
              }),
            );
          }
          return raised;
        },
      };
    });
  }

  private changes(customer: CustomerDoc, decisions: ConsentDecisions, channel: ChannelAction | undefined) {
    const consents = consentChanges(customer.consents ?? {}, decisions, this.clock());
    const current = customer.unsubscribed_channels ?? [];
    const channels = channel ? channelsAfter(current, channel) : current;
    return {
      consents,
      channels,
      changed: Object.keys(consents.entries).length > 0 || !sameChannels(channels, current),
    };
  }

  private async viewOf(customer: CustomerDoc): Promise<CustomerConsentsView> {
    const answers = customer.consents ?? {};
    const ids = Object.keys(answers);
    // Answers to consents deleted since are history, not current permissions.
    const defined = ids.length
      ? await this.models.Consent.find({ _id: { $in: ids } })
          .sort({ created_at: 1, _id: 1 })
          .lean()
      : [];
    return {
      consents: defined.map((c) => ({
        id: c._id,
        name: c.name,
        granted: answers[c._id]!.granted,
        updated_at: new Date(answers[c._id]!.updated_at).toISOString(),
      })),
      unsubscribed_channels: [...(customer.unsubscribed_channels ?? [])],
    };
  }
}
