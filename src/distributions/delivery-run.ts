import type { ChannelAccountService } from '../channels/channel-account-service';
import type { Infrastructure } from '../infrastructure';
import type { CampaignDoc } from '../models/campaign';
import type { DistributionDoc } from '../models/distribution';
import type { DistributionMessageDoc, MessageStatus } from '../models/distribution-message';
import type { DomainEvent } from '../models/domain-event';
import type { VoucherLike } from '../templates/message-variables';
import type { ChannelAccount, ChannelRegistry, OutgoingMessage } from '../channels/channel';
import type { PublicationService } from '../publications/publication-service';
import type { ChannelDecision } from './consent-check';
import type { DistributionSettings } from './settings';

/** What a delivery run needs: the data, the channels and their accounts, code publication. */
export type DeliveryContext = Pick<Infrastructure, 'models'> & {
  channels: ChannelRegistry;
  channelAccounts: ChannelAccountService;
  publications: PublicationService;
  settings: DistributionSettings;
};

/**
 * The per-customer pipeline both manual batches and event deliveries run — consent check →
 * code publication (when the purpose needs one) → render → send on each channel → message
 * record — done a whole batch at a time, so each step costs a few bulk round trips rather
 * than a few per customer. Idempotent: a message already `sent`, `skipped` or `failed` is
 * left alone, publications are keyed so a retry gets the same code.
 */
export interface DeliveryRun {
  distribution: DistributionDoc;
  /** `manual`, or the id of the event that fired an automatic distribution. */
  run: string;
  customerIds: string[];
  /** The event that fired it (automatic): its voucher, order, … feed the message variables. */
  event?: Pick<DomainEvent, 'type' | 'data'> & { _id: string };
  /**
   * Aborted when Temporal gave this attempt up (a late heartbeat) and may already run another:
   * no further message is started, so two attempts never send the same queued message at once.
   */
  signal?: AbortSignal;
  /**
   * Asked before each group of sends: true once the operator stopped the run, so a cancel
   * stops the batches in flight after the group they are sending, not after the whole batch.
   */
  stopRequested?: () => Promise<boolean>;
}

export interface DeliveryOutcome {
  counts: Record<MessageStatus, number>;
  /** A STATIC campaign's pool ran out: the distribution must stop; a manual run's customers left without a code are skipped `pool_exhausted`. */
  poolExhausted?: { campaignId: string };
  /** Messages left `queued` after a transient error: retry the run, not before `afterMs` when given. */
  retry?: { count: number; afterMs?: number; lastError: string };
  /** The run was stopped part-way (`stopRequested`): customers not reached yet have no records. */
  stopped?: true;
}

export const FINAL: ReadonlySet<MessageStatus> = new Set(['sent', 'skipped', 'failed', 'unknown']);

export interface Code {
  voucher: VoucherLike;
  campaign?: CampaignDoc;
  publicationId?: string;
}

/** What an earlier attempt recorded of a message. */
export type Known = Pick<DistributionMessageDoc, 'status' | 'in_flight'>;

/** A message of this run not final yet: whose, on which channel, where it goes (or why not). */
export interface Pending {
  id: string;
  customerId: string;
  index: number;
  decision: ChannelDecision;
  /** Why the step that failed it failed, for the record (e.g. the campaign's refusal). */
  error?: string;
}

/** A message about to go: queued, rendered, waiting for the provider's answer. */
export interface Outgoing {
  pending: Pending;
  message: OutgoingMessage;
}

/** Each account-taking channel's decrypted account, by channel index, or why it has none. */
export type AccountOrWhyNot =
  | ChannelAccount
  | { unusable: 'channel_account_missing' | 'channel_credentials_undecryptable' };
export type Accounts = Map<number, AccountOrWhyNot>;

/** What a run loads once for all its customers. */
export interface Shared {
  accounts: Accounts;
  promotionTier?: Record<string, unknown>;
}

export function usable(a: AccountOrWhyNot | undefined): ChannelAccount | undefined {
  return a && !('unusable' in a) ? a : undefined;
}

export class Tally {
  readonly counts: Record<MessageStatus, number> = { queued: 0, sent: 0, skipped: 0, failed: 0, unknown: 0 };
  poolExhausted?: { campaignId: string };
  retry?: { count: number; afterMs?: number; lastError: string };
  stopped?: true;

  transient(error: string, afterMs: number | undefined): void {
    const r = this.retry ?? { count: 0, lastError: error };
    r.count += 1;
    r.lastError = error;
    if (afterMs !== undefined) r.afterMs = Math.max(r.afterMs ?? 0, afterMs);
    this.retry = r;
  }

  outcome(): DeliveryOutcome {
    return {
      counts: this.counts,
      ...(this.poolExhausted ? { poolExhausted: this.poolExhausted } : {}),
      ...(this.retry ? { retry: this.retry } : {}),
      ...(this.stopped ? { stopped: this.stopped } : {}),
    };
  }
}
