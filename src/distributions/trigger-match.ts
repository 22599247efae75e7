import type { DistributionDoc } from '../models/distribution';
import { AUTOMATIC_TRIGGERS, isAutomatic } from './triggers';

/** The parts of a domain event that decide which automatic distributions it fires. */
export interface TriggeringEvent {
  type: string;
  customer_id?: string | null;
  data: Record<string, unknown>;
}

/**
 * Whether an event fires an automatic distribution: the trigger listens to the event's type,
 * the distribution is active, the event concerns a customer (the audience of an automatic
 * distribution) and — by the trigger's scope — it is about the chosen segment or a code of
 * the chosen campaign. Order triggers take every order: the trigger type is the status change.
 */
export function eventFires(distribution: Pick<DistributionDoc, 'trigger' | 'status'>, event: TriggeringEvent): boolean {
  const { trigger } = distribution;
  if (distribution.status !== 'active' || !isAutomatic(trigger.type) || !event.customer_id) return false;
  const spec = AUTOMATIC_TRIGGERS[trigger.type];
  if (spec.event !== event.type) return false;
  switch (spec.scope) {
    case 'segment':
      return trigger.segment_id !== undefined && segmentOf(event) === trigger.segment_id;
    case 'campaign':
      return trigger.campaign_id !== undefined && campaignOf(event) === trigger.campaign_id;
    case 'order':
      return true;
  }
}

function segmentOf(event: TriggeringEvent): string | undefined {
  return idOf(event.data.segment);
}

/** Voucher events name the campaign beside the code (`voucher.campaign_id`) or as `campaign`. */
export function campaignOf(event: TriggeringEvent): string | undefined {
  const voucher = event.data.voucher;
  const fromVoucher =
    voucher && typeof voucher === 'object' ? (voucher as { campaign_id?: unknown }).campaign_id : undefined;
  return typeof fromVoucher === 'string' ? fromVoucher : idOf(event.data.campaign);
}

function idOf(ref: unknown): string | undefined {
  const id = ref && typeof ref === 'object' ? (ref as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
